#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench-profile-test.py: TAP, the tests of bench-profile.py on made-up runs.

Each case writes the tap.log of guest/vfio_profile for a base and a patched
kernel (a function_graph trace, the functions timed alone, slab counts),
runs bench-profile.py on them and checks the rows of bench/profile.md: a
node's time is its calls x (its median timed alone - the tracer's cost),
each call of a function at the cost of its place in the iteration, the rows
under a node add up to it, interrupts are a root of their own.
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROFILE = os.path.join(HERE, 'bench-profile.py')

# Two iterations; fput() is called twice in each, the second call (the
# last reference) costs more; an interrupt lands in the second iteration.
TRACE = """\
 0)               |  __x64_sys_mmap() {
 0)   9.000 us    |    fput();
 0)   9.000 us    |    kfree();
 0)  50.000 us    |  } /* __x64_sys_mmap */
 0)               |  __x64_sys_munmap() {
 0)   9.000 us    |    fput();
 0)  30.000 us    |  } /* __x64_sys_munmap */
 0)               |  __x64_sys_mmap() {
 0)   9.000 us    |    fput();
 0)               |    irq_enter_rcu() {
 0)   9.000 us    |      i_callback();
 0)  20.000 us    |    } /* irq_enter_rcu */
 0)   9.000 us    |    kfree();
 0)  50.000 us    |  } /* __x64_sys_mmap */
 0)               |  __x64_sys_munmap() {
 0)   9.000 us    |    fput();
 0)  30.000 us    |  } /* __x64_sys_munmap */
"""


def tap(untraced, mmap_ns, munmap_ns, kfree_ns, slab):
    lines = ["# selftest: vfio_profile", "# TAP version 13", "# 1..1",
             f"# # BENCH untraced_ns 2000 {untraced} {untraced} ns/iteration",
             "# # BENCH traced_ns 2 100000 100000 ns/iteration"]
    lines += ["# # FG " + line for line in TRACE.splitlines()]
    # path_noexec first: the tracer's cost inside a timed call, 500 ns
    lines += ["# # TIME path_noexec 1000 500 500",
              f"# # TIME __x64_sys_mmap 1000 {mmap_ns} {mmap_ns}",
              f"# # TIME __x64_sys_munmap 1000 {munmap_ns} {munmap_ns}",
              "# # TIME fput 2000 1000 600",
              "# # SITE fput 0 600", "# # SITE fput 1 1500",
              f"# # TIME kfree 1000 {kfree_ns} {kfree_ns}",
              "# # TIME i_callback 0 0 0",
              "# # TIME irq_enter_rcu 0 0 0"]
    lines += [f"# # SLAB {c} {n}" for c, n in slab.items()]
    lines += ["# ok 1 done", "ok 1 vfio_profile"]
    return "\n".join(lines) + "\n"


def run(base, patched, prev=None):
    with tempfile.TemporaryDirectory() as d:
        kernels = [("base", base), ("patched", patched)]
        if prev:
            kernels.append(("prev", prev))
        for name, text in kernels:
            os.makedirs(os.path.join(d, name))
            with open(os.path.join(d, name, "tap.log"), "w") as f:
                f.write(text)
        out = os.path.join(d, "profile.md")
        p = subprocess.run([sys.executable, PROFILE, d, out],
                           capture_output=True, text=True)
        if p.returncode:
            return None, p.stderr
        rows = []
        for line in open(out):
            m = re.match(r"\| ((?:&nbsp;)*)([^|]+?) \| ([-\d.]+) \| ([-\d.]+) \|", line)
            if m:
                rows.append((len(m.group(1)) // 24, m.group(2),
                             (float(m.group(3)), float(m.group(4)))))
        return rows, open(out).read()


def under(rows, root):
    """{name: values} of the rows right under the root @root"""
    kids, inside = {}, False
    for depth, name, vals in rows:
        if depth == 0:
            inside = name == root
        elif inside and depth == 1:
            kids[name] = vals
    return kids


n = 0
failed = 0


def check(name, good, why=""):
    global n, failed
    n += 1
    failed += not good
    print(f'{"ok" if good else "not ok"} {n} {name}')
    if not good:
        print(f"# {why}")


def main():
    print("TAP version 13")
    print("1..8")
    base = tap(10000, 4500, 3500, 900, {"vm_area_struct": 1000})
    patched = tap(14000, 6500, 4500, 1900, {"vm_area_struct": 1000, "filp": 1000})
    rows, text = run(base, patched)
    if rows is None:
        print(f"Bail out! bench-profile.py failed: {text}")
        return 1
    roots = {name: vals for depth, name, vals in rows if depth == 0}
    mmap, munmap = under(rows, "__x64_sys_mmap"), under(rows, "__x64_sys_munmap")
    # mmap: one call per iteration at 6500 - 500 ns; kfree 900 or 1900 - 500
    check("a node's time is its median less the tracer's cost",
          roots.get("__x64_sys_mmap") == (4.0, 6.0) and
          mmap.get("kfree") == (0.4, 1.4), (roots, mmap))
    # mmap's fput is the first call of an iteration (600 - 500), munmap's
    # the second (1500 - 500): the sites, not the median of both (1000)
    check("each call at the cost of its place in the iteration",
          mmap.get("(other calls)") == (0.1, 0.1) and
          munmap.get("(other calls)") == (1.0, 1.0), (mmap, munmap))
    check("the rows under a node add up to it",
          abs(sum(v[1] for v in mmap.values()) - 6.0) < 0.011 and
          abs(sum(v[0] for v in munmap.values()) - 3.0) < 0.011, (mmap, munmap))
    check("an interrupt is a root of its own, not part of what it interrupted",
          "(interrupts)" in roots and "irq_enter_rcu" not in mmap, (roots, mmap))
    check("the untraced total is the run's",
          "| **total (untraced)** | **10.00** | **14.00** | |" in text, text)
    check("slab objects per live mapping, per cache",
          "| filp | 0.0 | 1.0 |" in text and "| **total** | **1.0** | **2.0** |" in text, text)
    # Every table's delimiter row has as many cells as its header
    bad = []
    lines = text.splitlines()
    for i, line in enumerate(lines[1:], 1):
        if re.match(r"^\|(---\|)+$", line) and lines[i - 1].count("|") != line.count("|"):
            bad.append(lines[i - 1])
    check("each table's delimiter row matches its header", not bad, bad)
    prev = tap(12000, 5500, 3500, 1400, {"vm_area_struct": 1000})
    rows3, text3 = run(base, patched, prev)
    check("with PREV, three kernels side by side in their order",
          rows3 is not None and "| | 7.3 | series before | series |" in text3 and
          "| &nbsp;&nbsp;&nbsp;&nbsp;kfree | 0.40 | 0.90 | 1.40 |" in text3, text3)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
