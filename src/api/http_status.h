// HttpStatusFor: the one place that maps an ava::Code to an HTTP status (docs/api.md, "Errors").
// Every avad answer that carries an error goes through it, so the table below is the whole story:
//
//   InvalidArgument, OutOfRange 400 · Unauthenticated 401 · PermissionDenied 403 · NotFound 404 ·
//   AlreadyExists, FailedPrecondition 409 · ResourceExhausted 429 · NotSupported 501 ·
//   Unavailable 503 · DeadlineExceeded 504 · everything else 500.
//
// Thread safety: a pure function.
#pragma once

#include "common/status.h"

namespace ava::api {

int HttpStatusFor(Code code);

}  // namespace ava::api
