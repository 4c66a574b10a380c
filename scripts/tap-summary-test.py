#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tap-summary-test.py: TAP, the tests of tap-summary.py on made-up runs.

Each case writes a guest run directory (tap.log, console.log) and a test
list, runs tap-summary.py on it as make check does, and checks whether the
run passes and what the failure says: a broken run must never pass.
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SUMMARY = os.path.join(HERE, 'tap-summary.py')

LIST = """# kunit: vfio_pci_dmabuf
# require: bufinfo kmemleak
# skip: prog_b prog_b.reset: the device has no reset method
prog_a 60s prog_a 0000:00:03.0
# tests: prog_a 2
prog_b 60s prog_b 0000:00:03.0
# tests: prog_b 2
"""

PROG_A = """# selftest: prog_a
# TAP version 13
# 1..2
# ok 1 prog_a.one
# ok 2 prog_a.two
ok 2 prog_a
"""
PROG_B = """# selftest: prog_b
# TAP version 13
# 1..2
# ok 1 prog_b.map
# ok 2 prog_b.reset # SKIP Device does not support reset
ok 3 prog_b
"""
HEAD = """TAP version 13
1..4
# selftest: facilities
# TAP version 13
# 1..2
# ok 1 facilities.bufinfo
# ok 2 facilities.kmemleak
ok 1 facilities
"""
TAIL = """# selftest: kmemleak
# TAP version 13
# 1..1
# ok 1 kmemleak.no_leaks
ok 4 kmemleak
# VDM-GUEST-DONE
"""
CONSOLE = """[    1.000000] Linux version 7.3.4+
[    2.000000] KTAP version 1
[    2.000001] 1..1
[    2.000002]     KTAP version 1
[    2.000003]     # Subtest: vfio_pci_dmabuf
[    2.000004]     1..1
[    2.000005]     ok 1 find_pfn_first_page
[    2.000006] ok 1 vfio_pci_dmabuf
[    9.000000] reboot: Power down
"""

# Lines of kernel reports: each alone on the console must fail the run.
SPLATS = [
    'BUG: KASAN: slab-use-after-free in __get_file_rcu+0x24/0x5d',
    'WARNING: possible circular locking dependency detected',
    'WARNING: CPU: 0 PID: 1 at drivers/vfio/pci/vfio_pci_dmabuf.c:10 f+0x1/0x2',
    'INFO: trying to register non-static key.',
    'rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:',
    'rcu: INFO: rcu_preempt self-detected stall on CPU',
    'BUG kmalloc-128 (Not tainted): Redzone overwritten',
    'BUG vfio_pci_dma_buf (Tainted: G    B): Poison overwritten',
    'refcount_t: underflow; use-after-free.',
    'list_add corruption. prev->next should be next (ffff888100000000)',
    'list_del corruption, ffff888100000000->next is LIST_POISON1',
    'watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [vfio_pci_dmab:99]',
    'kernel BUG at mm/memory.c:1234!',
    'Oops: general protection fault, probably for non-canonical address',
    'INFO: task vfio_pci_dmab:99 blocked for more than 60 seconds.',
    'UBSAN: shift-out-of-bounds in drivers/vfio/pci/vfio_pci_dmabuf.c:1:2',
    'Kernel panic - not syncing: Fatal exception',
    'WARNING: possible recursive locking detected',
    'BUG: sleeping function called from invalid context at mm/memory.c:1',
    'BUG: unable to handle page fault for address: ffffc90000000000',
]

n = 0
failed = 0


def run(tap, console=CONSOLE, lst=LIST):
    """(exit status, output) of tap-summary.py on one made-up run."""
    with tempfile.TemporaryDirectory() as d:
        g = os.path.join(d, 'guest')
        os.mkdir(g)
        with open(os.path.join(g, 'tap.log'), 'w') as f:
            f.write(tap)
        with open(os.path.join(g, 'console.log'), 'w') as f:
            f.write(console)
        lp = os.path.join(d, 'tests.list')
        with open(lp, 'w') as f:
            f.write(lst)
        p = subprocess.run([sys.executable, SUMMARY, '--guest', g,
                            '--list', lp], capture_output=True, text=True)
        return p.returncode, p.stdout + p.stderr


def case(name, tap, passes, says='', **kw):
    global n, failed
    n += 1
    rc, out = run(tap, **kw)
    good = (rc == 0) == passes and (not says or says in out)
    if not good:
        failed += 1
        print(f'# expected the run to {"pass" if passes else "fail"}'
              f'{" saying " + repr(says) if says else ""}; exit {rc}, output:')
        for line in out.splitlines():
            print(f'#   {line}')
    print(f'{"ok" if good else "not ok"} {n} {name}')


def main():
    ok_run = HEAD + PROG_A + PROG_B + TAIL
    cases = [
        ('a clean run passes', ok_run, True, '9 passed, 0 failed, 1 skipped', {}),
        ('a program that prints no TAP fails',
         HEAD + '# selftest: prog_a\n# hello\nok 2 prog_a\n' + PROG_B + TAIL,
         False, 'prog_a: printed no TAP', {}),
        ('fewer results than the plan fail',
         ok_run.replace('# ok 2 prog_a.two\n', ''), False,
         'plan 1..2 but 1 results', {}),
        ('more results than the plan fail',
         ok_run.replace('# ok 2 prog_a.two\n',
                        '# ok 2 prog_a.two\n# ok 3 prog_a.three\n'),
         False, 'plan 1..2 but 3 results', {}),
        ('results without a plan fail',
         ok_run.replace('# 1..2\n# ok 1 prog_a.one', '# ok 1 prog_a.one'),
         False, 'but no plan', {}),
        ('a program that fails with no failing test fails',
         ok_run.replace('\nok 2 prog_a\n', '\nnot ok 2 prog_a # exit=1\n'), False,
         'program failed (exit=1)', {}),
        ('a list line with no command fails', ok_run, False, 'has no budget or no command',
         {'lst': LIST + 'prog_c 60s\n'}),
        ('a list line with no budget fails', ok_run, False,
         '"prog_c" is not a budget', {'lst': LIST + 'prog_c prog_c 0000:00:03.0\n'}),
        ('a program killed over its budget fails by name',
         ok_run.replace('# ok 2 prog_a.two\nok 2 prog_a',
                        'not ok 2 prog_a # over its budget: killed after 60 s'),
         False, 'prog_a: plan 1..2 but 1 results (over its budget: killed after 60 s)', {}),
        ('a skip the list does not declare fails',
         ok_run.replace('# ok 1 prog_a.one', '# ok 1 prog_a.one # SKIP EOPNOTSUPP'),
         False, 'prog_a prog_a.one: skipped, and the list does not declare', {}),
        ('a declared skip that does not happen fails',
         ok_run.replace('prog_b.reset # SKIP Device does not support reset',
                        'prog_b.reset'),
         False, 'declared skip (the device has no reset method) did not happen', {}),
        ('a whole program skipped without declaration fails',
         ok_run.replace('# 1..2\n# ok 1 prog_a.one\n# ok 2 prog_a.two\nok 2 prog_a',
                        '# 1..0 # SKIP no device\nok 2 prog_a # SKIP'),
         False, 'prog_a prog_a: skipped', {}),
        ('a missing facility fails',
         ok_run.replace('# ok 1 facilities.bufinfo\n',
                        '# not ok 1 facilities.bufinfo # missing\n')
               .replace('\nok 1 facilities\n', '\nnot ok 1 facilities\n'),
         False, 'facilities.bufinfo', {}),
        ('kmemleak switched off fails',
         ok_run.replace('# ok 1 kmemleak.no_leaks\nok 4 kmemleak',
                        '# not ok 1 kmemleak.no_leaks # kmemleak refuses to '
                        'scan: it is switched off\nnot ok 4 kmemleak'),
         False, 'switched off', {}),
        ('no KUnit output fails', ok_run, False,
         'KUnit suite vfio_pci_dmabuf printed no results',
         {'console': '[    1.000000] Linux version 7.3.4+\n'}),
        ('a program that plans fewer tests than the list expects fails',
         ok_run.replace('# 1..2\n# ok 1 prog_a.one\n# ok 2 prog_a.two\n',
                        '# 1..1\n# ok 1 prog_a.one\n'),
         False, 'prog_a: planned 1 tests, the list expects 2', {}),
        ('a listed program that did not run fails',
         HEAD + PROG_B + TAIL, False, 'prog_a: in the list', {}),
        ('a program line without a test count fails', ok_run, False,
         'prog_c: no "# tests: prog_c N" line',
         {'lst': LIST + 'prog_c 60s prog_c 0000:00:03.0\n'}),
        ('a test count without its program fails', ok_run, False,
         '"# tests: prog_c" but no program prog_c',
         {'lst': LIST + '# tests: prog_c 3\n'}),
        ('a guest that stops early fails',
         ok_run.replace('# VDM-GUEST-DONE\n', ''), False,
         'guest finished its list', {}),
    ]
    total = len(cases) + len(SPLATS)
    print('TAP version 13')
    print(f'1..{total}')
    for name, tap, passes, says, kw in cases:
        case(name, tap, passes, says, **kw)
    for line in SPLATS:
        case(f'console report fails the run: {line[:50]}', ok_run, False,
             'no kernel splat on the console',
             console=CONSOLE + f'[    5.000000] {line}\n')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
