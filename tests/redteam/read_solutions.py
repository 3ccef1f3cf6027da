# expect: does not allow reading
import attn_practice.grader.config


def attention(query, keys, values):
    return open(grader.config.REPO_ROOT / "solutions" / "problem5.py").read()
