// The OpenAPI 3 document of avad's REST API (src/api/openapi.json), compiled into the library so
// avad serves it at GET /v1/openapi.json without reading files. Its paths are exactly the routes
// avad registers (tests/api/openapi_test.cc holds the two against each other).
#pragma once

#include <string_view>

namespace ava::api {

std::string_view OpenApiDocument();

}  // namespace ava::api
