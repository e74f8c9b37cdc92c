#include "services/scim/scim_discovery.h"

#include "absl/strings/str_cat.h"
#include "services/scim/scim_resource.h"

namespace plaudit::scim {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

// One attribute of a schema (RFC 7643 §7).
Value Attribute(absl::string_view name, absl::string_view type,
                absl::string_view mutability, bool required = false,
                bool multi = false, std::vector<Value> sub = {}) {
  Struct attribute;
  Put(&attribute, "name", Text(name));
  Put(&attribute, "type", Text(type));
  Put(&attribute, "multiValued", Flag(multi));
  Put(&attribute, "required", Flag(required));
  Put(&attribute, "caseExact", Flag(true));
  Put(&attribute, "mutability", Text(mutability));
  Put(&attribute, "returned", Text(name == "members" ? "never" : "default"));
  Put(&attribute, "uniqueness", Text(name == "userName" ? "server" : "none"));
  if (!sub.empty()) Put(&attribute, "subAttributes", List(std::move(sub)));
  return Object(std::move(attribute));
}

Struct Schema(absl::string_view id, absl::string_view name,
              std::vector<Value> attributes) {
  Struct schema;
  Put(&schema, "schemas",
      List({Text("urn:ietf:params:scim:schemas:core:2.0:Schema")}));
  Put(&schema, "id", Text(id));
  Put(&schema, "name", Text(name));
  Put(&schema, "attributes", List(std::move(attributes)));
  Put(&schema, "meta",
      Object(Meta("Schema", absl::StrCat(kBase, "Schemas/", id))));
  return schema;
}

Struct ResourceType(absl::string_view name, absl::string_view schema,
                    bool enterprise) {
  Struct type;
  Put(&type, "schemas",
      List({Text("urn:ietf:params:scim:schemas:core:2.0:ResourceType")}));
  Put(&type, "id", Text(name));
  Put(&type, "name", Text(name));
  Put(&type, "endpoint", Text(absl::StrCat("/", name, "s")));
  Put(&type, "schema", Text(schema));
  if (enterprise) {
    Struct extension;
    Put(&extension, "schema", Text(kEnterpriseSchema));
    Put(&extension, "required", Flag(false));
    Put(&type, "schemaExtensions", List({Object(std::move(extension))}));
  }
  Put(&type, "meta",
      Object(
          Meta("ResourceType", absl::StrCat(kBase, "ResourceTypes/", name))));
  return type;
}

}  // namespace

Struct ServiceProviderConfig() {
  auto supported = [](bool yes) {
    Struct feature;
    Put(&feature, "supported", Flag(yes));
    return feature;
  };
  Struct config;
  Put(&config, "schemas",
      List({Text(
          "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig")}));
  Put(&config, "patch", Object(supported(true)));
  Struct bulk = supported(false);
  Put(&bulk, "maxOperations", Number(0));
  Put(&bulk, "maxPayloadSize", Number(0));
  Put(&config, "bulk", Object(std::move(bulk)));
  Struct filter = supported(true);
  Put(&filter, "maxResults", Number(1));
  Put(&config, "filter", Object(std::move(filter)));
  Put(&config, "changePassword", Object(supported(false)));
  Put(&config, "sort", Object(supported(false)));
  Put(&config, "etag", Object(supported(false)));
  Struct bearer;
  Put(&bearer, "type", Text("oauthbearertoken"));
  Put(&bearer, "name", Text("OAuth Bearer Token"));
  Put(&bearer, "description",
      Text("A Plaudit API key of the tenant: Authorization: Bearer plk.... "
           "Integration keys sync users and groups; deprovisioning (DELETE, "
           "active false) needs an admin key."));
  Put(&bearer, "specUri", Text("https://www.rfc-editor.org/info/rfc6750"));
  Put(&bearer, "primary", Flag(true));
  Put(&config, "authenticationSchemes", List({Object(std::move(bearer))}));
  Put(&config, "meta",
      Object(Meta("ServiceProviderConfig",
                  absl::StrCat(kBase, "ServiceProviderConfig"))));
  return config;
}

std::vector<Struct> Schemas() {
  auto reference = [](absl::string_view mutability) {
    return std::vector<Value>{Attribute("value", "string", mutability),
                              Attribute("$ref", "reference", "readOnly"),
                              Attribute("display", "string", "readOnly")};
  };
  return {
      Schema(kUserSchema, "User",
             {Attribute("userName", "string", "immutable", true),
              Attribute("displayName", "string", "readWrite"),
              Attribute("name", "complex", "readWrite", false, false,
                        {Attribute("formatted", "string", "readWrite")}),
              Attribute("active", "boolean", "readWrite"),
              Attribute("groups", "complex", "readOnly", false, true,
                        reference("readOnly"))}),
      Schema(kEnterpriseSchema, "EnterpriseUser",
             {Attribute("manager", "complex", "readWrite", false, false,
                        reference("readWrite"))}),
      Schema(kGroupSchema, "Group",
             {Attribute("displayName", "string", "immutable", true),
              Attribute("members", "complex", "readWrite", false, true,
                        reference("immutable"))}),
  };
}

std::vector<Struct> ResourceTypes() {
  return {ResourceType("User", kUserSchema, true),
          ResourceType("Group", kGroupSchema, false)};
}

absl::StatusOr<HttpResponse> Discovery(std::vector<Struct> documents,
                                       const std::string& id,
                                       absl::string_view query) {
  absl::StatusOr<std::optional<std::string>> filter =
      QueryParam(query, "filter");
  if (!filter.ok()) return filter.status();
  if (filter->has_value()) {  // RFC 7644 §4: a filter here is 403
    return absl::PermissionDeniedError(
        "filter: not supported on discovery endpoints");
  }
  if (id.empty()) return ListAnswer("", std::move(documents));
  for (const Struct& document : documents) {
    if (document.fields().at("id").string_value() == id) {
      return ScimAnswer(200, document);
    }
  }
  return absl::NotFoundError(absl::StrCat(id, " not found"));
}

}  // namespace plaudit::scim
