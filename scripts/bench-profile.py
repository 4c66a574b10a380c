#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench-profile.py RESULTS OUT.md: the profile of make bench-profile.

RESULTS holds one directory per kernel (base, prev, patched), each with the
tap.log of guest/vfio_profile: "# BENCH untraced_ns/traced_ns" lines, the
function_graph trace of everything (the call tree) as "# FG" lines, each
function timed alone as "# TIME fn calls-per-1000 median-ns min-ns" lines
(the first is path_noexec(), the measure of the tracer's own cost inside a
timed call) and "# SLAB cache objects-per-1000" lines. Writes OUT.md: the
cost of an iteration (mmap()+munmap() of the edu's BAR0 through the device
fd) untraced, the tree of where the time goes with rows that add up to
their parent, and the slab objects a live mapping holds, per cache.

A node's time per iteration is its calls per iteration (from the tree) x
(its median duration timed alone - the tracer's cost inside a timed call).
A function called at several places in the tree gets its one median at
each. "(itself)" under a node is the node's time less its callees'; what
the untraced time has beyond the three roots (user space, syscall entry and
exit) is its own row.
"""
import re
import sys
from pathlib import Path

ORDER = ["base", "prev", "patched"]
LABEL = {"base": "7.3", "prev": "series before", "patched": "series"}
ROOTS = ["__x64_sys_mmap", "__x64_sys_munmap", "task_work_run", "(interrupts)"]
# Where an interrupt or a softirq starts: its calls go under "(interrupts)",
# not under the function it interrupted (RCU callbacks that free what an
# iteration let go of, such as the inodes of DMABUFs, run there)
IRQ = {"irq_enter_rcu", "irq_exit_rcu", "__irq_exit_rcu", "__do_softirq",
       "raw_irqentry_exit_cond_resched", "irqentry_enter", "irqentry_exit",
       "sysvec_apic_timer_interrupt", "__sysvec_apic_timer_interrupt"}
EXPAND_US = 0.1     # a node whose time differs by more is broken down
SHOW_US = 0.05      # a child whose time differs by more gets a row
MAX_DEPTH = 16

NEST = re.compile(r"^(# )+")
SUFFIX = re.compile(r"\.(isra|constprop|part|cold|llvm)\.\d+")
LINE = re.compile(r"^\s*(\d+)\)\s*(?:[+!#*@$]\s*)?([\d.]+)?\s*(?:us)?\s*\|\s(.*)$")


class Node:
    def __init__(self):
        self.calls = 0
        self.us = 0.0
        self.beneath = 0    # traced calls beneath, over all calls
        self.kids = {}
        self.seq = []       # for each call: its number among the function's calls

    def kid(self, name):
        return self.kids.setdefault(name, Node())


def parse(tap):
    """(untraced ns, traced ns, iterations, root Node, slab, times, cost)"""
    untraced = traced = iters = cost = None
    root = Node()
    slab = {}
    times = {}
    sites = {}      # function -> {i: median ns of its i-th call of an iteration}
    seen = {}       # function -> calls so far in the trace
    stacks = {}     # cpu -> [(name, node, calls beneath so far)]
    for raw in tap.read_text(errors="replace").splitlines():
        # tap-one nests the program's TAP: "# " before each of its lines
        raw = NEST.sub("# ", raw)
        if raw.startswith("# BENCH untraced_ns "):
            untraced = float(raw.split()[4])
        elif raw.startswith("# BENCH traced_ns "):
            f = raw.split()
            iters, traced = int(f[3]), float(f[4])
        elif raw.startswith("# TIME "):
            f = raw.split()
            if cost is None:
                cost = float(f[4])
            else:
                times[SUFFIX.sub("", f[2])] = float(f[4])
        elif raw.startswith("# SITE "):
            f = raw.split()
            sites.setdefault(SUFFIX.sub("", f[2]), {})[int(f[3])] = float(f[4])
        elif raw.startswith("# SLAB "):
            f = raw.split()
            slab[f[2]] = int(f[3]) / 1000
        elif raw.startswith("# FG "):
            m = LINE.match(raw[5:])
            if not m:
                continue
            cpu, dur, text = m.group(1), m.group(2), m.group(3).strip()
            st = stacks.setdefault(cpu, [])
            text = SUFFIX.sub("", text)
            if text.endswith("{"):
                name = text[:-1].strip().rstrip("()").strip()
                parent = st[-1][1] if st else root
                if name in IRQ:
                    parent = root.kid("(interrupts)")
                st.append([name, parent.kid(name), 0])
                st[-1][1].seq.append(seen.get(name, 0))
                seen[name] = seen.get(name, 0) + 1
            elif text.startswith("}"):
                if not st or dur is None:
                    st.clear()
                    continue
                name, node, beneath = st.pop()
                node.calls += 1
                node.us += float(dur)
                node.beneath += beneath
                if st:
                    st[-1][2] += beneath + 1
            elif text.endswith(";") and dur is not None:
                name = text[:-1].strip().rstrip("()").strip()
                parent = st[-1][1] if st else root
                if name in IRQ:
                    parent = root.kid("(interrupts)")
                node = parent.kid(name)
                node.seq.append(seen.get(name, 0))
                seen[name] = seen.get(name, 0) + 1
                node.calls += 1
                node.us += float(dur)
                if st:
                    st[-1][2] += 1
    return untraced, traced, iters, root, slab, times, cost, sites, seen


def calls_in(root):
    return sum(n.calls + n.beneath for n in root.kids.values())


class Kernel:
    def __init__(self, name, tap):
        self.name = name
        (self.untraced, self.traced, self.iters, self.root, self.slab,
         self.times, self.cost, self.sites, self.seen) = parse(tap)
        if None in (self.untraced, self.traced, self.iters, self.cost):
            sys.exit(f"bench-profile.py: {tap}: no BENCH or TIME lines")
        self.calls = calls_in(self.root) / self.iters
        # What a traced call costs when everything is traced, for what
        # the trace has but no run of its own timed (interrupts)
        self.ctot = max(self.traced - self.untraced, 0) / max(self.calls, 1)
        self.untimed = set()
        self.from_trace = set()

    def us(self, node, name):
        """µs per iteration of @node, the function @name (None: not there)"""
        if node is None:
            return 0.0
        if name.startswith("("):
            return sum(self.us(n, k) for k, n in node.kids.items())
        if not self.times.get(name):
            if not node.calls:
                self.untimed.add(name)
                return 0.0
            # Never called while timed alone: its durations in the full
            # trace, less what tracing added to them
            self.from_trace.add(name)
            ns = node.us * 1000 - node.beneath * self.ctot - node.calls * self.cost
            return max(ns, 0) / self.iters / 1000
        # Each call at the cost of its place in the iteration, if known
        k, site = self.seen.get(name, 0) / self.iters, self.sites.get(name, {})
        if k == int(k) and len(site) == k and node.seq:
            ns = sum(max(site[q % int(k)] - self.cost, 0) for q in node.seq)
            return ns / len(node.seq) * node.calls / self.iters / 1000
        return node.calls / self.iters * max(self.times[name] - self.cost, 0) / 1000


def fmt(x):
    return f"{x:.2f}"


def tree_rows(ks, nodes, name, depth, rows):
    """rows for the node @name, whose Node in each kernel is nodes[i]"""
    vals = [k.us(n, name) for k, n in zip(ks, nodes)]
    calls = [(n.calls / k.iters if n else 0) for k, n in zip(ks, nodes)]
    rows.append((depth, name, vals, calls))
    spread = max(vals) - min(vals)
    if spread < EXPAND_US or depth >= MAX_DEPTH:
        return
    kids = []
    for n in nodes:
        if n:
            kids += [k for k in n.kids if k not in kids]
    if not kids:
        return
    shown = [0.0] * len(ks)
    other = [0.0] * len(ks)
    for kid in kids:
        sub = [n.kids.get(kid) if n else None for n in nodes]
        kv = [k.us(s, kid) for k, s in zip(ks, sub)]
        if max(kv) - min(kv) >= SHOW_US:
            tree_rows(ks, sub, kid, depth + 1, rows)
            shown = [a + b for a, b in zip(shown, kv)]
        else:
            other = [a + b for a, b in zip(other, kv)]
    self_us = [v - s - o for v, s, o in zip(vals, shown, other)]
    if max(abs(x) for x in other) >= 0.005:
        rows.append((depth + 1, "(other calls)", other, None))
    rows.append((depth + 1, "(itself)", self_us, None))


def main():
    res, out = Path(sys.argv[1]), Path(sys.argv[2])
    ks = [Kernel(n, res / n / "tap.log") for n in ORDER if (res / n / "tap.log").exists()]
    if len(ks) < 2 or ks[0].name != "base":
        sys.exit(f"bench-profile.py: need base and another kernel in {res}")
    head = " | ".join(LABEL[k.name] for k in ks)
    sep = "|".join(["---"] * (len(ks) + 2))
    L = ["# Profile of BAR mmap()+munmap() through the device fd", ""]
    L += ["Written by `make bench-profile` (scripts/bench-profile.sh): each kernel "
          "built with configs/base.config + bench.config + profile.config "
          "(function_graph tracer), booted in the same TCG guest with one vCPU "
          "and `-icount shift=0`, running guest/vfio_profile on the edu's 1 MiB "
          "BAR0. Under -icount the guest's clock counts instructions, one per ns, "
          "so every time below is thousands of instructions per iteration (one "
          "mmap() and one munmap()), the same in every run: a measure of the "
          "work done, not of hardware time, in which memory stalls and atomics "
          "weigh more.", ""]
    L += ["## Cost of an iteration and of tracing", "",
          f"| | {head} |", f"|{sep[:-4]}|"]
    L.append("| untraced, k instructions (min of 5 x 2000) | " + " | ".join(fmt(k.untraced / 1000) for k in ks) + " |")
    L.append("| ratio to 7.3 | " + " | ".join(f"{k.untraced / ks[0].untraced:.2f}" for k in ks) + " |")
    L.append("| everything traced (function_graph, for the call tree) | " + " | ".join(fmt(k.traced / 1000) for k in ks) + " |")
    L.append("| calls in the tree | " + " | ".join(f"{k.calls:.0f}" for k in ks) + " |")
    L.append("| tracer's cost inside a timed call (path_noexec() timed alone) | " + " | ".join(fmt(k.cost / 1000) for k in ks) + " |")
    L += ["", "With everything traced an iteration costs 20 times what it does "
          "untraced (a traced call costs more than most functions), so that trace gives "
          "only the call tree and the calls per iteration. Each function's time is "
          "its median duration in a run where it was the only function ftrace hooked "
          "(100 iterations), less the tracer's cost inside a timed call, times its "
          "calls per iteration. The rows under a node add up to it; \"(other calls)\" "
          f"are its callees whose times differ by less than {SHOW_US} µs between the "
          "kernels, \"(itself)\" the rest (its own code, inlined callees and callees "
          "ftrace cannot hook; negative where the medians of its callees add up to "
          "more than its own).", ""]
    L += ["## Where the time goes", "",
          f"| function | {head} | calls ({' / '.join(LABEL[k.name] for k in ks)}) |",
          f"|{sep}|"]
    rows = []
    total = [0.0] * len(ks)
    for r in ROOTS:
        nodes = [k.root.kids.get(r) for k in ks]
        tree_rows(ks, nodes, r, 0, rows)
        total = [t + k.us(n, r) for t, k, n in zip(total, ks, nodes)]
    outside = [k.untraced / 1000 - t for k, t in zip(ks, total)]
    rows.append((0, "(user space, syscall entry and exit)", outside, None))
    for depth, name, vals, calls in rows:
        ind = "&nbsp;" * (4 * depth)
        c = " / ".join(f"{x:g}" for x in calls) if calls else ""
        L.append(f"| {ind}{name} | " + " | ".join(fmt(v) for v in vals) + f" | {c} |")
    L.append("| **total (untraced)** | " + " | ".join(f"**{fmt(k.untraced / 1000)}**" for k in ks) + " | |")
    L += ["", "## Slab objects per live mapping", "",
          "Objects a live BAR mapping holds, per cache (10,000 one-page mappings "
          "kept at once, /proc/slabinfo before and after).", "",
          f"| cache | {head} |", f"|{sep[:-4]}|"]
    caches = sorted({c for k in ks for c in k.slab})
    for c in caches:
        L.append(f"| {c} | " + " | ".join(f"{k.slab.get(c, 0):.1f}" for k in ks) + " |")
    L.append("| **total** | " + " | ".join(f"**{sum(k.slab.values()):.1f}**" for k in ks) + " |")
    for k in ks:
        if k.from_trace:
            L += ["", f"Never called while timed alone on {LABEL[k.name]}, so taken from the "
                  "full trace, less the calls beneath x the cost of a traced call there "
                  f"({fmt(k.ctot / 1000)}) and the tracer's cost inside each: "
                  + ", ".join(sorted(k.from_trace))]
        if k.untimed:
            L += ["", f"Not timed alone on {LABEL[k.name]} (counted as 0): "
                  + ", ".join(sorted(k.untimed))]
    out.write_text("\n".join(L) + "\n")
    print("\n".join(L))


if __name__ == "__main__":
    main()
