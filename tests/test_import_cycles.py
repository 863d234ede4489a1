"""The package's modules import one another without cycles (docs/architecture.md).

The import graph is the one tests/test_layering.py reads from the source (every import,
including those inside functions and under ``TYPE_CHECKING``). A cycle means two modules
cannot be understood, changed or tested apart; shared types go down to the lowest module
that needs them instead (e.g. ``checks/outcomes.py``, ``checks/audited_account.py``).
"""

from __future__ import annotations

from test_layering import MODULES, imports_of

#: Cycles allowed for now, each with the reason.
KNOWN_CYCLES: dict[frozenset[str], str] = {
    frozenset({"mock", "motohook"}): "moto's patched process_request hands each request to mock.handle_request, "
                                     "imported on the first request; the mock installs the patch",
}


def cycles(graph: dict[str, list[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            advanced = False
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(graph[target])))
                    advanced = True
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def test_no_module_imports_itself_through_others():
    graph = {module: sorted(imports_of(module)) for module in MODULES}
    unexpected = [sorted(cycle) for cycle in cycles(graph) if cycle not in KNOWN_CYCLES]
    assert not unexpected, f"import cycles: {unexpected}; move what they share to the lowest module that needs it"


def test_known_cycles_are_still_there():
    graph = {module: sorted(imports_of(module)) for module in MODULES}
    assert set(KNOWN_CYCLES) <= set(cycles(graph)), "a known cycle is gone: drop it from KNOWN_CYCLES"


def test_the_search_finds_a_cycle():
    graph = {"a": ["b"], "b": ["c"], "c": ["a", "d"], "d": [], "e": ["e"]}
    assert cycles(graph) == [frozenset({"a", "b", "c"})]
