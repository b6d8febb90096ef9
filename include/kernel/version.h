/* SPDX-License-Identifier: Apache-2.0 */
#ifndef KERNEL_VERSION_H
#define KERNEL_VERSION_H
#define TESSERA_VERSION "0.1.0"
#endif
