"""The benchmark harness's pure parts, on a sample of wrk's output: no servers, nothing timed."""

import pytest

from benchmarks import report
from benchmarks.run import quote_path

WRK_STDOUT = """\
Running 10s test @ http://127.0.0.1:40123/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    52.10ms   20.31ms 180.22ms   71.02%
    Req/Sec   310.12     40.55   410.00     68.00%
  6180 requests in 10.01s, 14.20MB read
  Non-2xx or 3xx responses: 3
Requests/sec:    617.38
Transfer/sec:      1.42MB
BENCH_JSON {"requests":6180,"duration_s":10.010,"rps":617.4,"bytes":14889000,\
"latency_us":{"p50":49012,"p90":77000,"p95":88120,"p99":121900,"max":180220,"mean":52100.0,"stdev":20310.0},\
"errors":{"connect":0,"read":2,"write":0,"status":3,"timeout":1}}
"""


def _run(rps: float, p50_us: int = 10_000, others_cpu: float | None = None) -> dict:
    return {
        "cpu": None if others_cpu is None else {"busy": 1.0, "bench": 1.0 - others_cpu, "others": others_cpu},
        "requests": int(rps * 10),
        "rps": rps,
        "latency_us": {"p50": p50_us, "p95": 2 * p50_us, "p99": 3 * p50_us},
        "non_2xx_3xx": 0,
        "socket_errors": 0,
    }


def test_parse_wrk_output_reads_the_bench_json_line():
    run = report.parse_wrk_output(WRK_STDOUT)

    assert run["rps"] == 617.4
    assert run["latency_us"]["p95"] == 88120


def test_parse_wrk_output_counts_bad_statuses_apart_from_socket_errors():
    run = report.parse_wrk_output(WRK_STDOUT)

    assert (run["non_2xx_3xx"], run["socket_errors"]) == (3, 3)


def test_parse_wrk_output_without_the_json_line_is_an_error():
    with pytest.raises(report.ReportError):
        report.parse_wrk_output(WRK_STDOUT.split("BENCH_JSON", maxsplit=1)[0])


def test_summary_is_the_median_of_the_repeats():
    summary = report.summarise([_run(900, 30_000), _run(1000, 10_000), _run(1200, 20_000)])

    assert (summary["rps"], summary["p50_ms"], summary["rps_runs"]) == (1000, 20.0, [900, 1000, 1200])


def test_table_gives_each_scenario_its_ratio_to_the_ceiling_of_the_same_run():
    ceiling = report.ceiling_summary([_run(4000), _run(3800), _run(4200)])
    table = report.build_table(32, ceiling, {"home": report.summarise([_run(1000), _run(1000)])})

    home_row = next(line for line in table.splitlines() if line.startswith("| home "))
    assert "| 1,000 | 1,000 / 1,000 |" in home_row
    assert "| 0.25 |" in home_row
    assert "first 4,000, last 4,200" in table


def test_table_shows_the_most_cpu_other_processes_took_during_a_figures_runs():
    ceiling = report.ceiling_summary([_run(4000, others_cpu=0.02), _run(4000, others_cpu=0.3), _run(4000)])
    table = report.build_table(32, ceiling, {"home": report.summarise([_run(1000), _run(1000)])})

    rows = {line.split(" | ")[0]: line for line in table.splitlines() if line.startswith("| ")}
    assert rows["| constant (ceiling)"].endswith("| 30% |")
    assert rows["| home"].endswith("| ? |")


def test_cyrillic_search_paths_are_percent_encoded_for_the_request_line():
    assert quote_path("/search/?q=чайник&page=2") == "/search/?q=%D1%87%D0%B0%D0%B9%D0%BD%D0%B8%D0%BA&page=2"
