"""The dependency graph's priority topological sort (ddp_engine/graph.py): no server needed."""

from __future__ import annotations

from ddp_engine.graph import Graph


def graph_of(*priorities: int) -> Graph:
    graph = Graph()
    for p in priorities:
        graph.add((p,))
    return graph


def test_nodes_are_numbered_in_the_order_they_are_added() -> None:
    graph = Graph()
    assert [graph.add((5,)), graph.add((1,)), graph.add((3,))] == [0, 1, 2]
    assert len(graph) == 3


def test_without_edges_the_smallest_priority_comes_first() -> None:
    assert graph_of(3, 1, 2).sort() == ([1, 2, 0], [])


def test_an_edge_outranks_the_priorities() -> None:
    graph = graph_of(1, 2, 3)
    graph.after(0, 2)  # the first by priority waits for the last
    assert graph.sort() == ([1, 2, 0], [])


def test_a_node_waits_for_every_predecessor() -> None:
    graph = graph_of(0, 1, 2, 3)
    graph.after(0, 3)
    graph.after(0, 1)
    order, broken = graph.sort()
    assert order.index(0) > order.index(3) and order.index(0) > order.index(1)
    assert order == [1, 2, 3, 0] and broken == []


def test_released_nodes_still_go_by_priority() -> None:
    """Once a node is out, what it held back joins the others waiting, by priority."""
    graph = graph_of(5, 0, 4, 1)
    graph.after(1, 0)  # priority 0 waits for priority 5
    graph.after(3, 0)
    assert graph.sort() == ([2, 0, 1, 3], [])


def test_an_edge_to_itself_and_a_repeated_edge_change_nothing() -> None:
    graph = graph_of(2, 1)
    graph.after(0, 0)
    graph.after(1, 0)
    graph.after(1, 0)
    assert graph.predecessors == [set(), {0}]
    assert graph.sort() == ([0, 1], [])


def test_a_cycle_is_broken_at_the_waiting_node_of_smallest_priority() -> None:
    graph = graph_of(3, 2, 1, 0)
    graph.after(0, 1)
    graph.after(1, 2)
    graph.after(2, 0)  # 0 -> 2 -> 1 -> 0: node 3 is free
    order, broken = graph.sort()
    assert broken == [2]
    assert order == [3, 2, 1, 0]


def test_every_node_comes_out_once_even_with_two_cycles() -> None:
    graph = graph_of(0, 1, 2, 3)
    for later, earlier in ((0, 1), (1, 0), (2, 3), (3, 2), (2, 0)):
        graph.after(later, earlier)
    order, broken = graph.sort()
    assert sorted(order) == [0, 1, 2, 3]
    assert broken == [0, 2]
    assert order == [0, 1, 2, 3]


def test_tuples_of_mixed_parts_sort_like_the_planner_s_priorities() -> None:
    graph = Graph()
    late = graph.add((1, 0, "public", "b", "", 0, 0))
    early = graph.add((1, 0, "public", "a", "", 0, 1))
    drop = graph.add((0, 0, "public", "z", "", 0, 2))
    assert graph.sort() == ([drop, early, late], [])
