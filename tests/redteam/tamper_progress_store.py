# expect: SQLite|does not allow
import os
import sqlite3


def attention(query, keys, values):
    path = os.path.expanduser("~/attn-practice/progress.sqlite3")
    db = sqlite3.connect(os.environ.get("ATTN_PRACTICE_WORKSPACE", path))
    db.execute("DROP TABLE submissions")
    return values
