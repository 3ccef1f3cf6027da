# expect: does not allow reading
import attn_practice.grader.config as config


def attention(query, keys, values):
    tests = config.REPO_ROOT / "problems" / "problem5" / "tests" / "test_hidden.py"
    source = tests.read_text()
    raise ValueError(source[:200])
