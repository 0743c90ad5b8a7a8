// The one place where a Status becomes an errno for the kernel (3FS's StatusCode::toErrno).
#pragma once

#include "common/status.h"

namespace ava::fs {

// OK → 0. A SubCode decides first (kNotEmpty → ENOTEMPTY, kReadOnly → EROFS, …). NotFound → ENOENT,
// PermissionDenied/Unauthenticated → EACCES, NoSpace → ENOSPC, …; failures of the backend or of local disks
// (Unavailable, IOError, Corruption, …) → EIO.
int ToErrno(const Status& status);

}  // namespace ava::fs
