"""Build definitions shared by the services' packages."""

def area_sources():
    """The package's C++ sources, which //services/store:keys_test reads."""
    native.filegroup(
        name = "sources",
        srcs = native.glob(["*.cc", "*.h"]),
        visibility = ["//services/store:__pkg__"],
    )
