# expect: No module named|does not allow
def attention(query, keys, values):
    import importlib

    return importlib.import_module("problems.problem5.tests.test_hidden")
