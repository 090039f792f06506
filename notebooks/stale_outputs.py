"""Says how a committed notebook's outputs are stale next to a fresh run of it, in a way that matters.

    python3 notebooks/stale_outputs.py COMMITTED.ipynb FRESH.ipynb

Prints nothing when they agree; otherwise one line naming each problem: a committed cell that shows
an error, a committed cell with fewer pictures than the fresh run made, or a different number of
code cells. Text outputs may differ (timings, paths) and are not compared. Used by run_notebooks.sh.
"""
import json
import sys


def code_cells(path):
    with open(path) as f:
        return [c for c in json.load(f)["cells"] if c["cell_type"] == "code"]


def pictures(cell):
    return sum(1 for o in cell.get("outputs", []) if "image/png" in o.get("data", {}))


def problems(committed, fresh):
    found = []
    if len(committed) != len(fresh):
        found.append(f"{len(committed)} code cells committed, {len(fresh)} run")
    for i, (old, new) in enumerate(zip(committed, fresh), 1):
        if any(o.get("output_type") == "error" for o in old.get("outputs", [])):
            found.append(f"code cell {i} shows an error")
        if pictures(old) < pictures(new):
            found.append(f"code cell {i} shows {pictures(old)} pictures, the run made {pictures(new)}")
    return found


if __name__ == "__main__":
    print("; ".join(problems(code_cells(sys.argv[1]), code_cells(sys.argv[2]))))
