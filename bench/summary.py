#!/usr/bin/env python3
"""Prints bench/run.sh's summary: one markdown table with every row of issue
15's table, each measure beside its anchor from the same run.

    bench/summary.py FIGURES LOADGEN_OUTPUT

FIGURES holds the figures run.sh measured itself, one `key=value` a line
(times in seconds, RSS in KiB); LOADGEN_OUTPUT is what bench/loadgen printed.
A figure the run did not produce is shown as "n/a", never guessed.
"""
import re
import sys


def read_figures(path):
    figures = {}
    with open(path) as f:
        for line in f:
            key, sep, value = line.rstrip("\n").partition("=")
            if sep:
                figures[key] = value
    return figures


def read_loadgen(path):
    """The rows of loadgen's table, by name (a name that repeats, as "same
    SQL straight to ClickHouse" does after each rate, keeps every row in
    order), and the statement ceiling."""
    rows, ceiling = [], None
    try:
        text = open(path).read()
    except OSError:
        return rows, ceiling
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 9 and cells[1].isdigit():
            rows.append({"name": cells[0], "rate": int(cells[1]), "achieved": num(cells[2]),
                         "p50": num(cells[3]), "p95": num(cells[4]), "p99": num(cells[5]),
                         "errors": cells[6], "rss": num(cells[8])})
        m = re.search(r"ClickHouse ceiling: (\d+) trivial statements/s.*sends ([\d.]+) statements per request: at most (\d+) requests/s", line)
        if m:
            ceiling = {"statements": int(m.group(1)), "per_request": float(m.group(2)), "requests": int(m.group(3))}
        m = re.search(r"ClickHouse ceiling: (\d+) trivial statements/s.*sends no statement", line)
        if m:
            ceiling = {"statements": int(m.group(1)), "per_request": 0.0, "requests": None}
    return rows, ceiling


def num(text):
    try:
        return float(text)
    except ValueError:
        return None


def fmt(value, digits=1, unit=""):
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}{unit}"


def seconds(figures, key):
    return num(figures.get(key, ""))


# The planner queries as loadgen names them, and as the issue does.
QUERIES = [
    ("idmDistribution(kabupaten)", "idmDistribution"),
    ("cooperationStats(kabupaten x issue x year)", "cooperationStats `columns`"),
    ("compareRegions(10 kabupaten)", "compareRegions"),
    ("agreements(page)", "agreements page"),
    ("strategicIssues", "strategicIssues"),
]


def alone(rows, name):
    """The GraphQL run of one query alone at 20/s and the run of its SQL
    that follows it."""
    for i, r in enumerate(rows):
        if r["name"] == f"GraphQL {name} at 20/s":
            sql = rows[i + 1] if i + 1 < len(rows) and "its SQL" in rows[i + 1]["name"] else None
            statements = re.search(r"\((\d+) statements\)", sql["name"]).group(1) if sql else "?"
            return r, sql, statements
    return None, None, "?"


def verdict(met):
    if met is None:
        return "n/a"
    return "**met**" if met else "missed"


def main():
    figures = read_figures(sys.argv[1])
    rows, ceiling = read_loadgen(sys.argv[2])
    out = []
    add = out.append
    add(f"bench/run.sh {figures.get('profile', '?')} {figures.get('seconds', '?')} {figures.get('mode', '')}".rstrip()
        + f" — commit {figures.get('commit', '?')}, {figures.get('date', '?')}")
    add(f"machine: {figures.get('machine', '?')}")
    add(f"load average at start {figures.get('load_start', '?')}, at end {figures.get('load_end', '?')}")
    add("")
    add("| measure | goal | measured | anchor, same run | verdict |")
    add("|---|---|---|---|---|")

    full_refresh = seconds(figures, "register_refresh")
    for key, what in (("incremental", "incremental register of 100 agreements, load + publish"),
                      ("office", f"an office's 20 agreements of one kabupaten ({figures.get('office_pick', '?')}), load + publish")):
        wall, refresh = seconds(figures, key + "_wall"), seconds(figures, key + "_refresh")
        goal = "≤ 2 s (national)"
        met = None if wall is None or figures.get("profile") != "national" else wall <= 2
        add(f"| {what} | {goal} | {fmt(wall, 2, ' s')} (its refresh {fmt(refresh, 2, ' s')}) "
            f"| full rebuild's refresh {fmt(full_refresh, 2, ' s')} (whole register load) | {verdict(met)} |")

    client, etl, rows_n = seconds(figures, "client_wall"), seconds(figures, "register_wall"), seconds(figures, "realisation_rows")
    ratio = client / etl if client and etl else None
    rss = seconds(figures, "register_rss_kb")
    load_phase = etl - full_refresh if etl is not None and full_refresh is not None else None
    add(f"| whole register ingest vs clickhouse-client ({fmt(rows_n, 0)} realisations) | ≥ 0.5× | "
        f"sinergi etl load {fmt(etl, 2, ' s')} (load {fmt(load_phase, 2, ' s')} + refresh {fmt(full_refresh, 2, ' s')}), "
        f"peak RSS {fmt(rss / 1024 if rss else None, 0, ' MB')} | clickhouse-client {fmt(client, 2, ' s')} | "
        f"{fmt(ratio, 2, '×')} {verdict(None if ratio is None else ratio >= 0.5)} |")

    for name, label in QUERIES:
        g, s, n = alone(rows, name)
        if n == "0":
            # Answered from the server's warm rollups: no SQL to compare with.
            add(f"| GraphQL over its own SQL (p50), {label} alone at 20/s | ≤ +25 % | {fmt(g and g['p50'], 1, ' ms')} "
                f"| no statement: answered from memory | n/a |")
            continue
        over = (g["p50"] / s["p50"] - 1) * 100 if g and s and g["p50"] and s["p50"] else None
        add(f"| GraphQL over its own SQL (p50), {label} alone at 20/s | ≤ +25 % | {fmt(g and g['p50'], 1, ' ms')} "
            f"| its SQL ({n} statements) {fmt(s and s['p50'], 1, ' ms')} | {'n/a' if over is None else f'{over:+.0f} %'} "
            f"{verdict(None if over is None else over <= 25)} |")
    for name, label in QUERIES:
        g, s, n = alone(rows, name)
        add(f"| p99 at 20 req/s, {label} alone | < 50 ms | {fmt(g and g['p99'], 1, ' ms')} "
            f"| its SQL {fmt(s and s['p99'], 1, ' ms')} | {verdict(None if not g or g['p99'] is None else g['p99'] < 50)} |")

    mixed = [r for r in rows if r["name"] == "GraphQL, mixed, uncached"]
    raw = [r for r in rows if r["name"] == "same SQL straight to ClickHouse"]
    if mixed:
        top = max(mixed, key=lambda r: r["rate"])
        same = raw[mixed.index(top)] if len(raw) == len(mixed) else None
        ceil = ""
        if ceiling and ceiling["requests"] is None:
            ceil = f"; statement ceiling {ceiling['statements']:,}/s, the mix sends no statement"
        elif ceiling:
            ceil = f"; statement ceiling {ceiling['statements']:,}/s ÷ {ceiling['per_request']} = {ceiling['requests']:,} req/s"
        add(f"| mixed planner workload, uncached, {top['rate']} req/s offered | ≥ 500 req/s | {fmt(top['achieved'], 0, ' req/s')} "
            f"| same SQL straight to ClickHouse {fmt(same and same['achieved'], 0, ' req/s')}{ceil} "
            f"| {verdict(top['achieved'] is not None and top['achieved'] >= 500)} |")
    else:
        add("| mixed planner workload, uncached | ≥ 500 req/s | n/a | n/a | n/a |")
    cached = next((r for r in rows if r["name"] == "GraphQL, mixed, result cache"), None)
    if cached:
        # achieved counts the requests over the run's whole length, the last
        # answers' wait included: an open loop that kept up shows a hair under
        # the offered rate.
        add(f"| result cache, mixed | ≥ 5,000 req/s | {fmt(cached['achieved'], 0, ' req/s')} at p50 {fmt(cached['p50'], 1, ' ms')} "
            f"| offered {cached['rate']:,} req/s | {verdict(cached['achieved'] is not None and cached['achieved'] >= 0.98 * 5000)} |")
    else:
        add("| result cache, mixed | ≥ 5,000 req/s | n/a | n/a | n/a |")
    # The rows variant is outside the mix (the README recommends columns for
    # large answers): its memory is shown beside, not in, the figure.
    in_mix = [r["rss"] for r in rows if r["name"].startswith("GraphQL") and "as rows" not in r["name"] and r["rss"] is not None]
    as_rows = [r["rss"] for r in rows if "as rows" in r["name"] and r["rss"] is not None]
    worst = max(in_mix) if in_mix else None
    warm = seconds(figures, "warm_rollups_bytes")  # part of the RSS
    add(f"| server RSS under load (every GraphQL run but `rows`) | < 150 MB | {fmt(worst, 0, ' MB')} max "
        f"| cooperationStats as `rows` alone: {fmt(max(as_rows) if as_rows else None, 0, ' MB')}; "
        f"warm rollups (part of the RSS): {fmt(warm / 1e6 if warm is not None else None, 1, ' MB')} | {verdict(None if worst is None else worst < 150)} |")
    print("\n".join(out))


if __name__ == "__main__":
    main()
