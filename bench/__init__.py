

def run_inner_on_fresh_database(module: str, scale: str, *, folder: str, db_name: str, args: list[str],
                                title: str) -> dict:
    """Run ``python -m <module> --inner <args> --out <file>`` in a child process on a database of its own, made
    afresh (SQLite in var/<folder>, or ``db_name`` on the server of $DATABASE_URL), and return the JSON it wrote.
    Each benchmark's data set up in its own process, so that Django is configured for that database alone."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ)
    data = root / "var" / folder
    data.mkdir(parents=True, exist_ok=True)
    env["DANGJIAN_DATA_DIR"] = str(data)
    env.pop("DANGJIAN_DEBUG", None)
    if scale == "sqlite":
        env.pop("DATABASE_URL", None)
        db = data / f"{folder}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        env["DANGJIAN_SQLITE_PATH"] = str(db)
    else:
        import psycopg

        base = os.environ["DATABASE_URL"]
        with psycopg.connect(base.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {db_name}")
        env["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + db_name
    out = data / f"result-{scale}.json"
    out.unlink(missing_ok=True)
    print(f"== {title}, {scale} ==", flush=True)
    subprocess.run([sys.executable, "-m", module, "--inner", *args, "--out", str(out)], env=env, cwd=root,
                   check=True)
    return json.loads(out.read_text())
