"""Load from wrk (Debian's package `wrk`), for the benchmarks that compare pages with a ceiling.

Why not the Python client in harness.run_calls: on these 2-core machines that client needs more
CPU per request than a bare Flask 'hello' does, and it shares the cores with the server. It then
caps 'hello' at ~1,600-2,600 req/s where wrk gets ~5,800 from the same gunicorn: every ratio to
'hello' came out about twice too kind, and every latency too high. wrk is written in C and costs
the server almost nothing, as the load in issue 18's first figures did.

run_wrk() sends a scenario's calls in turn (each wrk thread goes round the list on its own,
starting at its own place) for a number of seconds, with `concurrency` connections, and returns a
harness.Result: a latency per request (wrk's Lua API gives its latency quantiles, not its raw
histogram: each request gets the quantile its rank falls in, 400 of them, so p50 and p95 are wrk's
own to within a quarter of a percent of rank), the errors and the wall time. A response whose
status is not the scenario's `expect` counts as an error, as in run_calls; so do connect, read and
write errors and timeouts (a request that timed out has no latency of its own in wrk's figures:
any error fails the run).
"""

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench.harness import HOST, REQUEST_TIMEOUT, Call, Result, SetupError, call_headers

MARK = "VKB"  # the lines of wrk's output that the script below writes
QUANTILES = 400  # latencies per scenario run, evenly spaced in rank; p95 is then within 0.25% of rank


def wrk_path() -> str | None:
    return shutil.which("wrk")


def _lua_string(text: str) -> str:
    """A Lua string literal for any text: every byte outside a safe set as a decimal escape."""
    safe = set(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 /._-=?&%:;,+*()[]{}<>@!~#$")
    return '"' + "".join(chr(b) if b in safe else f"\\{b:03d}" for b in text.encode()) + '"'


def lua_script(calls: list[Call], threads: int = 2) -> str:
    """The wrk script: the calls in turn, statuses checked, the latency histogram printed at the end."""
    from urllib.parse import urlencode

    if not calls:
        raise SetupError("a wrk scenario needs at least one call")
    expects = {call.expect for call in calls}
    if len(expects) != 1:
        raise SetupError("the calls of one wrk scenario must expect one status")  # responses carry no index
    rows = []
    for call in calls:
        headers = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in call_headers(call).items())
        body = _lua_string(urlencode(call.form)) if call.form is not None else "nil"
        rows.append(f"  {{{_lua_string(call.method)}, {_lua_string(call.path)}, {{{headers}}}, {body}}},")
    return "\n".join([
        "local calls = {", *rows, "}",
        f"local expect = {expects.pop()}",
        f"local QUANTILES = {QUANTILES}",
        f"local THREADS = {max(1, threads)}",
        """
local threads = {}
function setup(thread)
  thread:set("first", #threads)
  table.insert(threads, thread)
end

local formatted = {}
local index = 0
wrong = 0
sample = ""
function init(args)
  for k, c in ipairs(calls) do formatted[k] = wrk.format(c[1], c[2], c[3], c[4]) end
  index = (first or 0) * math.floor(#formatted / THREADS)  -- each thread starts at its own place
end

function request()
  index = index % #formatted + 1
  return formatted[index]
end

function response(status, headers, body)
  if status ~= expect then
    wrong = wrong + 1
    if sample == "" then sample = tostring(status) end
  end
end

function done(summary, latency, requests)
  local bad, samples = 0, {}
  for _, t in ipairs(threads) do
    bad = bad + t:get("wrong")
    local s = t:get("sample")
    if s ~= "" then table.insert(samples, s) end
  end
  local e = summary.errors
  io.write(string.format("%s summary %d %d %d %d %d %d %d %s\\n", "%MARK%", summary.requests, summary.duration,
    bad, e.connect, e.read, e.write, e.timeout, table.concat(samples, ",")))
  for k = 0, QUANTILES - 1 do  -- wrk's Lua gives no raw histogram: its quantiles stand in for it
    io.write(string.format("%s quantile %d\\n", "%MARK%", latency:percentile((k + 0.5) * 100 / QUANTILES)))
  end
end
""".replace("%MARK%", MARK),
    ])


def parse_output(name: str, planned: int, output: str) -> Result:
    """A Result from the lines the script's done() printed."""
    result = Result(name, planned)
    summary, quantiles = None, []
    for line in output.splitlines():
        parts = line.split()
        if len(parts) < 3 or parts[0] != MARK:
            continue
        if parts[1] == "summary":
            summary = parts[2:]
        elif parts[1] == "quantile":
            quantiles.append(int(parts[2]) / 1e6)
    if summary is None or len(quantiles) != QUANTILES:
        raise SetupError(f"wrk printed no summary or too few quantiles for '{name}':\n{output[-2000:]}")
    requests, duration_us, wrong, connect, read, write, timeout = (int(v) for v in summary[:7])
    # Every request gets the latency of the quantile its rank falls in, so that rounds merge by
    # count and Result.percentile() works as for the Python client.
    result.latencies = [quantiles[min(QUANTILES - 1, i * QUANTILES // requests)] for i in range(requests)]
    result.wall = duration_us / 1e6
    result.errors = wrong + connect + read + write + timeout
    if wrong:
        result.error_samples.append(f"{wrong} responses with status {summary[7] if len(summary) > 7 else '?'}")
    for what, count in (("connect", connect), ("read", read), ("write", write), ("timeout", timeout)):
        if count:
            result.error_samples.append(f"{count} {what} errors")
    return result


def run_wrk(name: str, port: int, calls: list[Call], concurrency: int, seconds: float, deadline: float,
            threads: int = 2) -> Result:
    """Send the calls in turn for `seconds` with `concurrency` connections (see the module's notes)."""
    binary = wrk_path()
    if binary is None:
        raise SetupError("wrk is not installed (apt-get install wrk)")
    if time.monotonic() + seconds > deadline:
        result = Result(name, len(calls))
        result.cut_short = True
        return result
    threads = max(1, min(threads, concurrency))
    with tempfile.TemporaryDirectory(prefix="veerkracht-wrk-") as tmp:
        script = Path(tmp) / "calls.lua"
        script.write_text(lua_script(calls, threads))
        command = [binary, f"-t{threads}", f"-c{concurrency}", f"-d{max(1, round(seconds))}s",
                   f"--timeout={REQUEST_TIMEOUT:.0f}s", "-s", str(script), f"http://{HOST}:{port}/"]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + REQUEST_TIMEOUT + 30)
        except subprocess.TimeoutExpired as exc:
            raise SetupError(f"wrk did not finish '{name}' in time") from exc
    if done.returncode != 0:
        raise SetupError(f"wrk exited with status {done.returncode}: {done.stderr.strip()[-500:]}")
    return parse_output(name, len(calls), done.stdout)
