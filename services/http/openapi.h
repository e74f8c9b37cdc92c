// The OpenAPI 3 document of the HTTP/JSON API (GET /v1/openapi.json),
// generated from the same descriptors and google.api.http routes the gateway
// serves: paths, parameters, request and response schemas, the bearer
// scheme, the error schema. Pure. How each proto type and http rule reads
// in OpenAPI is written at the top of openapi.cc.
#ifndef PLAUDIT_SERVICES_HTTP_OPENAPI_H_
#define PLAUDIT_SERVICES_HTTP_OPENAPI_H_

#include <string>

#include "services/http/route_table.h"

namespace plaudit {

std::string OpenApiDocument(const RouteTable& routes);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_HTTP_OPENAPI_H_
