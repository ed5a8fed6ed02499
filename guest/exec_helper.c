// SPDX-License-Identifier: GPL-2.0-only
/*
 * exec-storm's exec target: no libc, no start-up work, exits 0 at once, so
 * each timed spawn measures fork/exec/exit/reap in the kernel and nothing
 * of the helper itself.
 */
void _start(void)
{
	__asm__ volatile("mov $60, %%eax\n\txor %%edi, %%edi\n\tsyscall" ::: "memory");
	__builtin_unreachable();
}
