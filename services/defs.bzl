"""Build definitions shared by the services' packages."""

SourcesInfo = provider(fields = ["files"])

def _sources_aspect_impl(target, ctx):
    direct = []
    for kind in ["srcs", "hdrs"]:
        for f in getattr(ctx.rule.files, kind, []):
            if f.is_source and f.owner.workspace_name == "":
                direct.append(f)
    return [SourcesInfo(files = depset(direct, transitive = [
        dep[SourcesInfo].files
        for dep in getattr(ctx.rule.attr, "deps", [])
        if SourcesInfo in dep
    ]))]

_sources_aspect = aspect(
    implementation = _sources_aspect_impl,
    attr_aspects = ["deps"],
)

def _sources_of_impl(ctx):
    files = depset(transitive = [d[SourcesInfo].files for d in ctx.attr.deps])
    return [DefaultInfo(
        files = files,
        runfiles = ctx.runfiles(transitive_files = files),
    )]

# The C++ sources of this repository that `deps` are built from, all the way
# down: for tests that read the code itself (keys_test).
sources_of = rule(
    implementation = _sources_of_impl,
    attrs = {"deps": attr.label_list(aspects = [_sources_aspect])},
)
