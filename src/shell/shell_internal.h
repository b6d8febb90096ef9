/* SPDX-License-Identifier: Apache-2.0 */
/* What the shell's command files share: the command table and the way they answer. */
#ifndef SHELL_INTERNAL_H
#define SHELL_INTERNAL_H

#include "lib/types.h"
#include "kernel/console.h"

#define SHELL_ARGS_MAX 8

struct shell_command {
	const char *name;
	const char *usage;   /* arguments, for help and errors */
	const char *summary;
	void (*run)(int argc, char **argv); /* argv[0] is the command's own name */
};

/* Each file's commands (shell.c prints and dispatches them). */
extern const struct shell_command shell_vm_commands[];
extern const unsigned shell_vm_command_count;
extern const struct shell_command shell_disk_commands[];
extern const unsigned shell_disk_command_count;
extern const struct shell_command shell_system_commands[];
extern const unsigned shell_system_command_count;

/* printf for the shell's answers. Output is held until a line ends (or the shell waits) and then
 * written under one console lock, so a log line from another CPU falls between the shell's
 * lines, never inside one: `vm show --json` stays one line a script can parse. */
int shell_printf(const char *fmt, ...) __printf_like(1, 2);
/* Writes s as a JSON string, quotes and escapes included. */
void shell_json_string(const char *s);
/* Parses a whole decimal number; false for anything else. */
bool shell_parse_number(const char *s, unsigned *value);

#endif
