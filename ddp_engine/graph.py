"""A dependency graph of steps and its priority topological sort.

Nodes are numbered in the order they are added and carry a priority (any tuple that sorts);
an edge says one node runs after another. The sort emits, of the nodes whose predecessors are
all out, the one of smallest priority: where the edges allow, the script keeps its sections
in order. A cycle is broken at the waiting node of smallest priority, and reported.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from typing import Any


class Graph:
    """Steps (by number) with a priority each, and "runs after" edges between them."""

    def __init__(self) -> None:
        self.priorities: list[tuple[Any, ...]] = []
        self.predecessors: list[set[int]] = []

    def add(self, priority: tuple[Any, ...]) -> int:
        """A new node; returns its number (0, 1, 2, ... in the order of adding)."""
        self.priorities.append(priority)
        self.predecessors.append(set())
        return len(self.priorities) - 1

    def after(self, later: int, earlier: int) -> None:
        """``later`` runs after ``earlier`` (an edge from a node to itself is no edge)."""
        if later != earlier:
            self.predecessors[later].add(earlier)

    def __len__(self) -> int:
        return len(self.priorities)

    def sort(self) -> tuple[list[int], list[int]]:
        """Every node once, each after its predecessors, ties by smallest priority; and the
        nodes at which a cycle was broken (each emitted before some of its predecessors)."""
        priority = self.priorities
        waiting = {i: set(deps) for i, deps in enumerate(self.predecessors)}
        followers: dict[int, list[int]] = defaultdict(list)
        for i, deps in waiting.items():
            for d in deps:
                followers[d].append(i)
        ready = [(priority[i], i) for i, deps in waiting.items() if not deps]
        heapq.heapify(ready)
        done: list[int] = []
        broken: list[int] = []
        emitted: set[int] = set()
        while len(emitted) < len(priority):
            if not ready:  # a cycle: break it at the first waiting node by priority
                i = min((i for i in waiting if i not in emitted), key=priority.__getitem__)
                broken.append(i)
                waiting[i] = set()
                heapq.heappush(ready, (priority[i], i))
            _, i = heapq.heappop(ready)
            if i in emitted:
                continue
            emitted.add(i)
            done.append(i)
            for f in followers[i]:
                waiting[f].discard(i)
                if not waiting[f] and f not in emitted:
                    heapq.heappush(ready, (priority[f], f))
        return done, broken
