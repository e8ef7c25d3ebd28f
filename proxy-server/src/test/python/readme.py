"""README's tables, as the tests read them: the first table after a heading, one dict per row from column header to
cell (whole-cell code spans unwrapped), keyed by the first cell."""


def table_after(readme_path, heading):
    with open(readme_path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    start = lines.index(heading) + 1
    while not lines[start].startswith("|"):
        start += 1
    header = _cells(lines[start])
    rows = {}
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = _cells(line)
        rows[cells[0]] = dict(zip(header, cells))
    return rows


def _cells(line):
    out = []
    for cell in line.strip().strip("|").split("|"):
        c = cell.strip()
        if len(c) > 1 and c.startswith("`") and c.endswith("`") and c.index("`", 1) == len(c) - 1:
            c = c[1:-1]
        out.append(c)
    return out
