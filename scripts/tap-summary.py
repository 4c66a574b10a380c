#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tap-summary.py: read every result of a `make check` run and summarise.

  tap-summary.py [--tap SUITE=FILE]... [--guest DIR] [--kunit SUITE]...
                 [--list FILE]

--tap    a TAP file of the host's stages (apply, checkpatch, ...): each
         top-level result is one test of SUITE.
--guest  a guest run directory (scripts/run-guest.sh): tap.log holds one
         result per guest program with the program's own TAP nested under
         "# "; leaf results count, plus a failure when a program exits
         non-zero without a failing leaf. console.log gives KUnit's KTAP and
         the kernel splat check; devices maps BDFs to ivshmem backing files
         for VDM-HOSTCHECK lines.
--kunit  a KUnit suite the guest's kernel must run: it fails if the console
         has no result of it.
--list   the guest's test list (guest/tests.list): its "# kunit: SUITE"
         lines add --kunit SUITE, its "# skip: SUITE TEST: reason" lines
         declare the skips the run expects, and every other line must be
         "name SECONDSs command...", SECONDS the program's budget.  With a
         list, a skip it does not declare fails, and so does a declared
         skip that did not happen.  Each program line needs a "# tests:
         NAME N" line: the program must plan exactly N tests, so that a
         test deleted or renamed away, or a program that did not run,
         fails the run instead of passing silently.

A guest program fails if it printed no TAP, or if the number of its results
differs from its plan.

Prints a table, the failures, and ends with "N passed, N failed, N skipped".
Exits 1 if anything failed or nothing ran.
"""
import argparse
import os
import re
import sys

RESULT = re.compile(r'^(not ok|ok)\s+(\d+)\s*-?\s*([^#]*?)\s*(?:#\s*(.*))?$')
# Every kind of report the kernel prints on the console.
SPLAT = re.compile(
    r'BUG:|kernel BUG at|WARNING:|\bKASAN\b|UBSAN:|Oops:|Kernel panic'
    r'|general protection fault|Unable to handle kernel'
    r'|possible (recursive |circular )?\w*\s*(locking )?deadlock'
    r'|hung_task|blocked for more than'
    r'|rcu: INFO:|detected stalls? on CPUs|self-detected stall'
    r'|non-static key|\bBUG [\w.:-]+ \((Not t|T)ainted'
    r'|refcount_t: |list_(add|del) corruption|soft lockup|hard LOCKUP')
TSTAMP = re.compile(r'^\[\s*\d+\.\d+\]\s?')
NOTES = []


class Suite:
    def __init__(self, name):
        self.name = name
        self.passed = self.failed = self.skipped = 0
        self.failures = []
        self.skips = []
        self.skipped_tests = []
        self.plan = None

    def add(self, status, test, why=''):
        if status == 'pass':
            self.passed += 1
        elif status == 'skip':
            self.skipped += 1
            self.skips.append(f'{test}: {why}'.strip(': '))
            self.skipped_tests.append(test)
        else:
            self.failed += 1
            self.failures.append(f'{test}{": " + why if why else ""}')


def status_of(ok, directive):
    d = (directive or '').strip()
    if d.upper().startswith('SKIP'):
        return 'skip', d[4:].strip()
    if d.upper().startswith('XFAIL'):
        return 'pass', ''
    return ('pass' if ok == 'ok' else 'fail'), d


def read_lines(path):
    with open(path, errors='replace') as f:
        return [l.rstrip('\n').rstrip('\r') for l in f]


def parse_flat(suite, path):
    if not os.path.exists(path):
        suite.add('fail', os.path.basename(path), 'missing result file')
        return
    for line in read_lines(path):
        m = re.match(r'^1\.\.0\s*#\s*SKIP\s*(.*)', line)
        if m:
            suite.add('skip', suite.name, m.group(1))
            continue
        m = RESULT.match(line)
        if m:
            st, why = status_of(m.group(1), m.group(4))
            suite.add(st, m.group(3), why)


def hostcheck(suite, args, devices):
    kv = dict(a.split('=', 1) for a in args.split() if '=' in a)
    test = 'hostcheck ' + ' '.join(f'{k}={v}' for k, v in kv.items())
    try:
        bdf, off = kv['bdf'], int(kv['offset'], 0)
        length, pat = int(kv['len'], 0), int(kv['pattern'], 0)
    except (KeyError, ValueError):
        suite.add('fail', test, 'malformed VDM-HOSTCHECK line')
        return
    path = devices.get(bdf)
    if not path or path == '-':
        suite.add('fail', test, f'no backing file for {bdf}')
        return
    want = pat.to_bytes(4, 'little') * (length // 4)
    with open(path, 'rb') as f:
        f.seek(off)
        got = f.read(len(want))
    if got == want:
        suite.add('pass', test)
    else:
        bad = next((i for i in range(len(got)) if got[i] != want[i]), len(got))
        suite.add('fail', test, f'backing file differs at offset {off + bad:#x}')


def end_program(cur, st, why):
    """The guest's result line for program cur, after its own TAP."""
    leaves = cur.passed + cur.failed + cur.skipped
    if cur.plan is None and leaves == 0 and st != 'skip':
        cur.add('fail', cur.name, f'printed no TAP (exit: {why or "0"})')
    elif cur.plan is None and leaves == 0:
        cur.add(st, cur.name, why)
    elif cur.plan is None:
        cur.add('fail', cur.name, f'{leaves} results but no plan')
    elif cur.plan and leaves != cur.plan:
        cur.add('fail', cur.name, f'plan 1..{cur.plan} but {leaves} results'
                + (f' ({why})' if st == 'fail' and why else ''))
    if st == 'fail' and cur.failed == 0:
        cur.add('fail', cur.name, f'program failed ({why}) with no failing test')


def parse_guest(suites, gdir, kunit_expected=()):
    guest = Suite('guest')
    suites.append(guest)
    tap = os.path.join(gdir, 'tap.log')
    if not os.path.exists(tap):
        guest.add('fail', 'guest ran', f'no {tap}')
        return
    devices = {}
    dev_file = os.path.join(gdir, 'devices')
    if os.path.exists(dev_file):
        for line in read_lines(dev_file):
            parts = line.split()
            if len(parts) >= 3:
                devices[parts[0]] = parts[2]
    hc = Suite('hostcheck')
    cur = None
    done = False
    for line in read_lines(tap):
        if 'VDM-GUEST-DONE' in line:
            done = True
        m = re.search(r'VDM-HOSTCHECK\s+(.*)', line)
        if m:
            hostcheck(hc, m.group(1), devices)
            continue
        if line.startswith('# note: '):
            NOTES.append(line[len('# note: '):].strip())
            continue
        if line.startswith('# selftest: '):
            cur = Suite(line[len('# selftest: '):].strip())
            suites.append(cur)
            continue
        if line.startswith('# '):
            nested = line[2:].strip()
            m = re.match(r'^1\.\.(\d+)\s*(?:#\s*(.*))?$', nested)
            if m and cur is not None and cur.plan is None:
                cur.plan = int(m.group(1))
                if cur.plan == 0:
                    st, why = status_of('ok', m.group(2) or 'SKIP no tests')
                    cur.add(st, cur.name, why)
                continue
            m = RESULT.match(nested)
            if m and cur is not None:
                st, why = status_of(m.group(1), m.group(4))
                cur.add(st, m.group(3), why)
            continue
        m = RESULT.match(line)
        if m and cur is not None:
            end_program(cur, *status_of(m.group(1), m.group(4)))
            cur = None
    if hc.passed + hc.failed:
        suites.append(hc)
    guest.add('pass' if done else 'fail', 'guest finished its list',
              '' if done else f'see {os.path.join(gdir, "console.log")}')

    console = os.path.join(gdir, 'console.log')
    if not os.path.exists(console):
        guest.add('fail', 'console log', f'no {console}')
        return
    kunit = Suite('kunit')
    in_ktap = False
    splats = []
    ksuite = None
    ksuites = set()
    for raw in read_lines(console):
        line = TSTAMP.sub('', raw)
        if SPLAT.search(line):
            splats.append(line.strip())
        if line.startswith('KTAP version'):
            in_ktap = True
            continue
        if not in_ktap:
            continue
        m = re.match(r'^    # Subtest: (\S+)', line)
        if m:
            ksuite = m.group(1)
            ksuites.add(ksuite)
            continue
        m = re.match(r'^    (not ok|ok) \d+ (.*)$', line)
        if m:
            name = m.group(2)
            directive = ''
            if ' # ' in name:
                name, directive = name.split(' # ', 1)
            st, why = status_of(m.group(1), directive)
            kunit.add(st, f'{ksuite}.{name.strip()}', why)
    for name in kunit_expected:
        if name not in ksuites:
            kunit.add('fail', name, f'KUnit suite {name} printed no results ({console})')
    if kunit.passed + kunit.failed + kunit.skipped:
        suites.append(kunit)
    if splats:
        guest.add('fail', 'no kernel splat on the console',
                  f'{len(splats)} line(s), first: {splats[0]} ({console})')
    else:
        guest.add('pass', 'no kernel splat on the console')


def read_list(path, kunit, declared, counts):
    """The guest list: kunit suites, declared skips, each program's number
    of tests; a Suite of its errors."""
    errors = Suite('list')
    programs = {}
    for n, line in enumerate(read_lines(path), 1):
        where = f'{path}:{n}'
        m = re.match(r'^#\s*kunit:\s*(\S+)', line)
        if m:
            kunit.append(m.group(1))
            continue
        m = re.match(r'^#\s*tests:\s*(\S+)\s+(\d+)\s*$', line)
        if m:
            counts[m.group(1)] = (int(m.group(2)), where)
            continue
        if re.match(r'^#\s*tests:', line):
            errors.add('fail', where, 'a test count needs "# tests: NAME N"')
            continue
        m = re.match(r'^#\s*skip:\s*(\S+)\s+(\S+?):\s*(\S.*)$', line)
        if m:
            declared[(m.group(1), m.group(2))] = m.group(3)
            continue
        if re.match(r'^#\s*skip:', line):
            errors.add('fail', where, 'a skip needs "# skip: SUITE TEST: reason"')
            continue
        if not line.strip() or line.lstrip().startswith('#'):
            continue
        f = line.split()
        programs[f[0]] = where
        if len(f) < 3:
            errors.add('fail', where, f'"{line.strip()}" has no budget or no command')
        elif not re.fullmatch(r'[1-9][0-9]*s', f[1]):
            errors.add('fail', where, f'"{f[1]}" is not a budget in seconds ("300s")')
    for name, where in programs.items():
        if name not in counts:
            errors.add('fail', where, f'{name}: no "# tests: {name} N" line')
    for name, (_, where) in counts.items():
        if name not in programs:
            errors.add('fail', where, f'"# tests: {name}" but no program {name}')
    return errors


def check_counts(suites, counts):
    """Every program of the list ran and planned the tests the list expects."""
    plans = {s.name: s.plan for s in suites}
    bad = Suite('counts')
    for name, (want, where) in counts.items():
        if name not in plans:
            bad.add('fail', name, f'in the list ({where}) but did not run')
        elif (plans[name] or 0) != want:
            bad.add('fail', name, f'planned {plans[name] or 0} tests, the list '
                    f'expects {want} ({where})')
    return bad


def check_skips(suites, declared):
    """Every skip declared, every declared skip seen: a Suite of the misses."""
    seen = set()
    miss = Suite('skips')
    for s in suites:
        for t in s.skipped_tests:
            key = (s.name, t)
            if key in declared:
                seen.add(key)
            else:
                miss.add('fail', f'{s.name} {t}',
                         'skipped, and the list does not declare this skip')
    for key, why in declared.items():
        if key not in seen:
            miss.add('fail', f'{key[0]} {key[1]}',
                     f'declared skip ({why}) did not happen')
    return miss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tap', action='append', default=[])
    ap.add_argument('--guest', action='append', default=[])
    ap.add_argument('--kunit', action='append', default=[])
    ap.add_argument('--list')
    a = ap.parse_args()
    suites = []
    declared = {}
    counts = {}
    if a.list:
        errors = read_list(a.list, a.kunit, declared, counts)
        if errors.failed:
            suites.append(errors)
    for t in a.tap:
        name, path = t.split('=', 1)
        s = Suite(name)
        parse_flat(s, path)
        suites.append(s)
    for g in a.guest:
        parse_guest(suites, g, a.kunit)
    if a.list:
        suites.append(check_skips(suites, declared))
        if a.guest:
            suites.append(check_counts(suites, counts))

    w = max([len(s.name) for s in suites] + [5])
    print(f'{"suite":<{w}}  {"pass":>5} {"fail":>5} {"skip":>5}')
    print('-' * (w + 19))
    for s in suites:
        print(f'{s.name:<{w}}  {s.passed:>5} {s.failed:>5} {s.skipped:>5}')
    print('-' * (w + 19))
    p = sum(s.passed for s in suites)
    f = sum(s.failed for s in suites)
    k = sum(s.skipped for s in suites)
    for n in NOTES:
        print(f'NOTE {n}')
    for s in suites:
        for x in s.skips:
            print(f'SKIP {s.name}: {x}')
    for s in suites:
        for x in s.failures:
            print(f'FAIL {s.name}: {x}')
    print(f'{p} passed, {f} failed, {k} skipped')
    return 1 if f or p == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
