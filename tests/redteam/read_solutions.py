# expect: does not allow reading
import attn_practice.grader.config as config


def attention(query, keys, values):
    return open(config.REPO_ROOT / "solutions" / "problem5.py").read()
