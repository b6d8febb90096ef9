/* SPDX-License-Identifier: Apache-2.0 */
/* Error codes: functions return 0 or a positive count on success and a negative code on failure.
 * The values are Linux's, so host tools that also include <errno.h> see identical definitions. */
#ifndef LIB_ERRNO_H
#define LIB_ERRNO_H

#define EPERM 1
#define ENOENT 2
#define EIO 5
#define E2BIG 7
#define ENOEXEC 8
#define ENOMEM 12
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ENOSPC 28
#define EROFS 30
#define ERANGE 34
#define ENOSYS 38
#define EOVERFLOW 75
#define ENOTSUP 95
#define ENOTCONN 107
#define EALREADY 114
#define ETIMEDOUT 110

#endif
