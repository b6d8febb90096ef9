/* SPDX-License-Identifier: Apache-2.0 */
/* The shell's line editor and dispatcher (see shell/shell.h). Characters typed in interrupt
 * context go through a small ring to the shell's task, which edits the line, echoes it, and runs
 * the command when Enter comes. */
#include "shell/shell.h"
#include "shell_internal.h"
#include "kernel/log.h"
#include "kernel/sched.h"
#include "lib/string.h"
#include "lib/format.h"

#define INPUT_RING 256
#define LINE_MAX 200
#define PROMPT "tessera> "

static char input_ring[INPUT_RING];
static unsigned input_head, input_tail; /* written in interrupt context, read by the task */
static struct task *shell_task;

void shell_input(char c)
{
	unsigned head = __atomic_load_n(&input_head, __ATOMIC_RELAXED);
	if (head - __atomic_load_n(&input_tail, __ATOMIC_ACQUIRE) == INPUT_RING)
		return; /* typed faster than the shell reads: dropped, as a full UART FIFO would */
	input_ring[head % INPUT_RING] = c;
	__atomic_store_n(&input_head, head + 1, __ATOMIC_RELEASE);
	if (shell_task)
		task_wake(shell_task);
}

static int next_char(void)
{
	unsigned tail = input_tail;
	if (tail == __atomic_load_n(&input_head, __ATOMIC_ACQUIRE))
		return -1;
	char c = input_ring[tail % INPUT_RING];
	__atomic_store_n(&input_tail, tail + 1, __ATOMIC_RELEASE);
	return (unsigned char)c;
}

/* One line of the shell's output, written whole (shell_printf). Only the shell's task writes
 * it. A line longer than this goes out in pieces, which a log line may then split. */
static char out_line[4096];
static size_t out_length;

/* Writes what is held, a whole line or (before the shell sleeps) the prompt and the echo. */
static void shell_flush(void)
{
	if (!out_length)
		return;
	unsigned long flags = console_lock();
	console_claim_line_unlocked(out_line);
	console_write_unlocked(out_line, out_length);
	console_unlock(flags);
	out_length = 0;
}

static void out_putc(void *ctx, char c)
{
	(void)ctx;
	out_line[out_length++] = c;
	if (c == '\n' || out_length == sizeof(out_line))
		shell_flush();
}

int shell_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = format_callback(out_putc, NULL, fmt, ap);
	va_end(ap);
	return n;
}

void shell_json_string(const char *s)
{
	shell_printf("\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			shell_printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			shell_printf("\\u%04x", (unsigned char)*s);
		else
			shell_printf("%c", *s);
	}
	shell_printf("\"");
}

bool shell_parse_number(const char *s, unsigned *value)
{
	unsigned v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 429496728u)
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	*value = v;
	return true;
}

static const struct {
	const struct shell_command *commands;
	const unsigned *count;
} tables[] = {
	{ shell_vm_commands, &shell_vm_command_count },
	{ shell_disk_commands, &shell_disk_command_count },
	{ shell_system_commands, &shell_system_command_count },
};

static void help(void)
{
	shell_printf("Commands:\n");
	for (unsigned t = 0; t < ARRAY_SIZE(tables); t++)
		for (unsigned i = 0; i < *tables[t].count; i++) {
			const struct shell_command *c = &tables[t].commands[i];
			shell_printf("  %s %-28s %s\n", c->name, c->usage, c->summary);
		}
	shell_printf("Console: Ctrl-A, a VM id, Enter gives that VM the console; Ctrl-A Enter comes back here.\n"
		     "  Under QEMU's -nographic, type Ctrl-A twice for one.\n");
}

/* Splits the line at spaces into argv (in place); returns argc, or -1 for too many words. */
static int split(char *line, char **argv)
{
	int argc = 0;
	for (char *p = line; *p;) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			break;
		if (argc == SHELL_ARGS_MAX)
			return -1;
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	return argc;
}

/* How many words of argv name the command (1 or 2, "vm list"); 0 if they do not, -1 if only
 * the first word matches a two-word name. */
static int command_matches(const char *name, int argc, char **argv)
{
	const char *space = strchr(name, ' ');
	if (!space)
		return strcmp(name, argv[0]) == 0 ? 1 : 0;
	size_t first = (size_t)(space - name);
	if (strlen(argv[0]) != first || strncmp(name, argv[0], first) != 0)
		return 0;
	return argc > 1 && strcmp(space + 1, argv[1]) == 0 ? 2 : -1;
}

static void run_line(char *line)
{
	char *argv[SHELL_ARGS_MAX];
	int argc = split(line, argv);
	if (argc < 0) {
		shell_printf("too many words (at most %d)\n", SHELL_ARGS_MAX);
		return;
	}
	if (argc == 0)
		return;
	if (strcmp(argv[0], "help") == 0 || strcmp(argv[0], "?") == 0) {
		help();
		return;
	}
	bool group = false; /* argv[0] begins two-word commands ("vm list") */
	for (unsigned t = 0; t < ARRAY_SIZE(tables); t++)
		for (unsigned i = 0; i < *tables[t].count; i++) {
			const struct shell_command *c = &tables[t].commands[i];
			int words = command_matches(c->name, argc, argv);
			if (words > 0) {
				c->run(argc - words + 1, argv + words - 1);
				return;
			}
			group |= words < 0;
		}
	if (group)
		shell_printf("%s%s%s: no such command (help lists them)\n", argv[0], argc > 1 ? " " : "",
			     argc > 1 ? argv[1] : "");
	else
		shell_printf("%s: no such command (help lists them)\n", argv[0]);
}

void shell_run(void)
{
	static char line[LINE_MAX + 1];
	unsigned length = 0;
	shell_task = task_current();
	log_info("Shell ready: Ctrl-A Enter gives it the console, help lists its commands");
	for (;;) {
		int c = next_char();
		if (c < 0) {
			shell_flush(); /* the echo and the prompt show before the shell waits */
			task_sleep();
			continue;
		}
		if (c == '\f') {
			shell_printf("\n" PROMPT "%.*s", (int)length, line);
		} else if (c == '\r' || c == '\n') {
			shell_printf("\n");
			line[length] = '\0';
			run_line(line);
			length = 0;
			shell_printf(PROMPT);
		} else if (c == 0x7f || c == '\b') {
			if (length) {
				length--;
				shell_printf("\b \b");
			}
		} else if (c == 0x03 || c == 0x15) { /* Ctrl-C, Ctrl-U: the line goes */
			length = 0;
			shell_printf("^C\n" PROMPT);
		} else if (c >= 0x20 && c < 0x7f && length < LINE_MAX) {
			line[length++] = (char)c;
			shell_printf("%c", c);
		}
	}
}
