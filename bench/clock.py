"""Starting servers that are not ours on the real clock (no gevent here: tests import it)."""

import os


def real_clock_env(env: dict | None = None) -> dict:
    """The environment for a server that is not ours (redis-server, PgBouncer, PostgreSQL)
    without libfaketime's preload: under `make test-dates` the faked clock is for our code
    (which must not read the machine's), and a server started on a faked instant either
    stalls on it or disagrees with the servers already running on the real one."""
    env = dict(os.environ if env is None else env)
    preload = [p for p in env.get("LD_PRELOAD", "").split(":") if p and "faketime" not in p]
    if preload:
        env["LD_PRELOAD"] = ":".join(preload)
    else:
        env.pop("LD_PRELOAD", None)
    for name in [n for n in env if n.startswith("FAKETIME")]:
        del env[name]
    return env
