"""What each probe finding says, worded like a known mistake's diagnosis: what your code does,
why it is wrong, what to do. English and Chinese; `{...}` fields are filled by the probe."""

from __future__ import annotations

TEXTS: dict[str, dict[str, dict[str, str]]] = {
    "inputs-modified": {
        "title": {"en": "Changes its input {arg} in place",
                  "zh": "原地修改了输入 {arg}"},
        "diagnosis": {
            "en": "After your function returns, the caller's {arg} holds different values: an "
                  "in-place operation (x /= ..., x.masked_fill_(...), x[...] = ...) wrote into it. "
                  "The caller may reuse it, and autograd refuses in-place edits of leaves that "
                  "require grad. Build new tensors instead (x = x / ..., masked_fill without _).",
            "zh": "函数返回后，调用者的 {arg} 的值变了：某个原地操作（x /= ...、x.masked_fill_(...)、"
                  "x[...] = ...）写进了它。调用者可能还要使用它，而且 autograd 不允许对需要梯度的叶子"
                  "张量做原地修改。请生成新张量（x = x / ...，使用不带下划线的 masked_fill）。"}},
    "float32-in-float64": {
        "title": {"en": "float32 arithmetic inside a float64 call",
                  "zh": "float64 调用中使用了 float32 运算"},
        "diagnosis": {
            "en": "Your float64 results differ from the reference by about {error:.1g} (relative), "
                  "the size of float32 rounding, while float64 agrees to about 1e-15. Somewhere a "
                  "tensor is created or cast as float32 (torch.tensor(...) without dtype, .float(), "
                  "a float32 constant). Create tensors with dtype=x.dtype and do not cast down.",
            "zh": "你的 float64 结果与参考答案相差约 {error:.1g}（相对误差），这正是 float32 的舍入"
                  "量级，而 float64 应当吻合到约 1e-15。某处把张量创建或转换成了 float32（不带 dtype "
                  "的 torch.tensor(...)、.float()、float32 常量）。请用 dtype=x.dtype 创建张量，"
                  "不要降低精度。"}},
    "batch-mixing": {
        "title": {"en": "Elements of a batch affect each other",
                  "zh": "批次中的元素相互影响"},
        "diagnosis": {
            "en": "Called on each element of a batch of {batch} alone, your function gives the "
                  "right answers; called on the whole batch, it does not. Something mixes the "
                  "elements: a reshape or transpose over the batch axis, k.T instead of "
                  "k.transpose(-2, -1), a softmax or sum over dim=0. Every operation must act on "
                  "the last axes only and broadcast over the leading ones.",
            "zh": "对批次中的 {batch} 个元素逐个调用时，你的函数结果正确；对整个批次调用时却不对。"
                  "有什么把不同元素混在了一起：跨批次维的 reshape 或转置、用 k.T 而不是 "
                  "k.transpose(-2, -1)、在 dim=0 上做 softmax 或求和。每个操作都只能作用于最后几个"
                  "维度，并在前置维度上广播。"}},
    "causal-leak": {
        "title": {"en": "Later positions leak into earlier outputs",
                  "zh": "后面的位置泄漏到了前面的输出"},
        "diagnosis": {
            "en": "Changing only the last position of {arg} changed the outputs at earlier "
                  "positions (by up to {change:.3g}). With a causal mask, position i may only see "
                  "positions j <= i: mask the scores where j > i (torch.ones(n, n).tril() is the "
                  "allowed pattern) before the softmax, not after, and with -inf (or "
                  "torch.finfo(dtype).min): a masked score of 0, as multiplying by the mask "
                  "gives, still gets weight.",
            "zh": "只改变 {arg} 的最后一个位置，前面位置的输出就变了（最多变化 {change:.3g}）。有因果"
                  "掩码时，位置 i 只能看到 j <= i 的位置：在 softmax 之前（而不是之后）把 j > i 处的"
                  "分数屏蔽掉（torch.ones(n, n).tril() 是允许的模式），并且要用 -inf（或 "
                  "torch.finfo(dtype).min）：乘以掩码得到的分数 0 仍然会分到权重。"}},
    "softmax-axis": {
        "title": {"en": "Softmax over the wrong axis",
                  "zh": "softmax 的维度错了"},
        "diagnosis": {
            "en": "Your attention weights sum to 1 down each column (over the queries), not "
                  "along each row (over the keys). Each query distributes its attention over "
                  "the keys: softmax(scores, dim=-1), where scores is [..., m, n].",
            "zh": "你的注意力权重是沿每一列（对查询）求和为 1，而不是沿每一行（对键）。每个查询把"
                  "注意力分配给各个键：softmax(scores, dim=-1)，其中 scores 的形状是 [..., m, n]。"}},
    "scale": {
        "title": {"en": "Scores divided by {used} instead of {expected}",
                  "zh": "分数除以了 {used}，而不是 {expected}"},
        "diagnosis": {
            "en": "Fitted from your weights, your scores are q.k divided by about {fitted:.3g}, "
                  "that is {used}; this problem divides by {expected}. The dot product of d "
                  "unit-variance features has standard deviation sqrt(d): dividing by exactly "
                  "that keeps the softmax from saturating or going flat.",
            "zh": "从你的权重拟合得出，你的分数是 q.k 除以约 {fitted:.3g}，即 {used}；本题应除以 "
                  "{expected}。d 个方差为 1 的特征的点积，标准差是 sqrt(d)：恰好除以它，softmax "
                  "才既不会饱和也不会过于平坦。"}},
    "mask-inverted": {
        "title": {"en": "Mask convention inverted",
                  "zh": "掩码含义弄反了"},
        "diagnosis": {
            "en": "Your outputs equal the right answer for the inverted mask: you treat True as "
                  "'masked out'. Here True means 'may attend' (as in torch's boolean attn_mask): "
                  "exclude the keys where the mask is False, e.g. scores.masked_fill(~mask, ...).",
            "zh": "你的输出等于掩码取反后的正确答案：你把 True 当成了“屏蔽”。本题中 True 表示“可以"
                  "关注”（与 torch 的布尔 attn_mask 一致）：排除掩码为 False 的键，例如 "
                  "scores.masked_fill(~mask, ...)。"}},
    "mask-after-softmax": {
        "title": {"en": "Mask applied after the softmax",
                  "zh": "在 softmax 之后才应用掩码"},
        "diagnosis": {
            "en": "Masked keys get weight 0, but the remaining weights of a row sum to less than "
                  "1 (as little as {total:.3g}): the softmax ran over all keys and the masked "
                  "ones were zeroed afterwards. Fill the masked scores with a very negative value "
                  "before the softmax, so the allowed keys share the whole weight.",
            "zh": "被掩码的键权重为 0，但一行中其余权重之和小于 1（最低只有 {total:.3g}）：softmax "
                  "对全部键计算之后才把被掩码的置零。应在 softmax 之前用很小的值填充被掩码的分数，"
                  "让允许的键分享全部权重。"}},
    "mask-finite-penalty": {
        "title": {"en": "A finite penalty instead of excluding masked keys",
                  "zh": "用有限的惩罚值代替排除被掩码的键"},
        "diagnosis": {
            "en": "With large scores, a masked key still gets weight (up to {leak:.3g}): your mask "
                  "subtracts or fills a finite number, which a large enough score overcomes. A "
                  "masked key must get weight exactly 0 whatever the scores: fill with -inf (or "
                  "torch.finfo(dtype).min and multiply the weights by the mask afterwards).",
            "zh": "分数很大时，被掩码的键仍然得到权重（最多 {leak:.3g}）：你的掩码减去或填充的是一个"
                  "有限的数，足够大的分数可以压过它。无论分数多大，被掩码的键的权重都必须恰好为 0："
                  "用 -inf 填充（或用 torch.finfo(dtype).min 填充，再把权重乘以掩码）。"}},
    "heads-permuted": {
        "title": {"en": "Heads come out in the wrong order",
                  "zh": "各头输出的顺序错了"},
        "diagnosis": {
            "en": "With the output projection set to the identity, your output holds the right "
                  "heads in the wrong order ({order}). The heads must be concatenated in order, "
                  "head 0's features first: out.transpose(1, 2).reshape(b, n, d) from [b, h, n, d_h].",
            "zh": "把输出投影设为单位矩阵后，你的输出里各头的结果是对的，但顺序错了（{order}）。各头"
                  "必须按顺序拼接，头 0 的特征在前：由 [b, h, n, d_h] 做 "
                  "out.transpose(1, 2).reshape(b, n, d)。"}},
    "heads-interleaved": {
        "title": {"en": "Heads interleaved instead of side by side",
                  "zh": "各头的特征交错排列，而不是并排拼接"},
        "diagnosis": {
            "en": "With the output projection set to the identity, feature j of your output is "
                  "feature j // h of head j % h: the heads are interleaved. Split d into heads as "
                  "view(b, n, h, d_h) (head-major blocks of d_h features) and concatenate back the "
                  "same way; view(b, n, d_h, h) or a transpose in the wrong place interleaves them.",
            "zh": "把输出投影设为单位矩阵后，你的输出的第 j 个特征是第 j % h 个头的第 j // h 个特征："
                  "各头被交错排列了。应把 d 按 view(b, n, h, d_h) 划分成头（每头连续 d_h 个特征），"
                  "再以同样的方式拼回；view(b, n, d_h, h) 或位置不对的转置会把它们交错。"}},
    "float32-result": {
        "title": {"en": "float32 results for float64 inputs",
                  "zh": "float64 输入得到 float32 结果"},
        "diagnosis": {
            "en": "Called with float64 tensors, your function returns float32: somewhere the "
                  "computation is cast down (.float(), torch.tensor(...) without dtype, a float32 "
                  "buffer). Outputs must have the inputs' dtype; create tensors with dtype=x.dtype.",
            "zh": "用 float64 张量调用时，你的函数返回了 float32：计算中某处降低了精度（.float()、"
                  "不带 dtype 的 torch.tensor(...)、float32 的缓冲区）。输出必须与输入的 dtype 相同；"
                  "创建张量时使用 dtype=x.dtype。"}},
    "return-order": {
        "title": {"en": "Returned values in the wrong order",
                  "zh": "返回值的顺序错了"},
        "diagnosis": {
            "en": "Your function returns the right values in the wrong order (yours are the "
                  "expected values {order}). Return them in the order the signature gives.",
            "zh": "你的函数返回的值是对的，但顺序错了（你的依次是期望的第 {order} 个值）。请按函数签名"
                  "给出的顺序返回。"}},
    "nan-fully-masked": {
        "title": {"en": "NaN for a query whose keys are all masked",
                  "zh": "所有键都被掩码的查询得到 NaN"},
        "diagnosis": {
            "en": "Where a query has no key it may attend to, your output is NaN: the softmax of "
                  "a row of -inf is 0/0. Fill masked scores with the finite "
                  "torch.finfo(dtype).min and multiply the weights by the mask after the softmax, "
                  "so such a row becomes all zeros.",
            "zh": "当某个查询没有任何可关注的键时，你的输出是 NaN：全为 -inf 的一行做 softmax 是 0/0。"
                  "请用有限值 torch.finfo(dtype).min 填充被掩码的分数，并在 softmax 之后把权重乘以"
                  "掩码，这样的行就会全为 0。"}},
    "overflow": {
        "title": {"en": "NaN or Inf where the answer is finite (exp overflows or underflows)",
                  "zh": "答案有限的地方出现 NaN 或 Inf（exp 上溢或下溢）"},
        "diagnosis": {
            "en": "Your output has NaN or Inf on inputs whose right answer is finite, and is "
                  "finite on the same inputs 100 times smaller: with large scores exp() "
                  "overflows to inf (inf/inf is NaN), with very negative ones every exp() "
                  "underflows to 0 (0/0). Subtract each row's maximum score before exp "
                  "(softmax is unchanged by a shift, and the largest term becomes exp(0) = 1), "
                  "or call torch.softmax, which does so. Masking after the softmax and "
                  "renormalising fails the same way (every allowed weight can underflow to 0 "
                  "before the division): mask the scores before the softmax.",
            "zh": "在正确答案有限的输入上，你的输出出现了 NaN 或 Inf，而把同样的输入缩小 100 倍后输出"
                  "是有限的：分数很大时 exp() 上溢为 inf（inf/inf 是 NaN），分数很负时每个 exp() 都"
                  "下溢为 0（0/0）。在 exp 之前减去每一行的最大分数（平移不改变 softmax，且最大的一项"
                  "变为 exp(0) = 1），或直接调用会这样做的 torch.softmax。在 softmax 之后再掩码并重新"
                  "归一化也会这样失败（在做除法之前，所有允许的权重都可能下溢为 0）：请在 softmax 之前"
                  "对分数做掩码。"}},
    "nan-output": {
        "title": {"en": "NaN or Inf where the answer is finite",
                  "zh": "答案有限的地方出现 NaN 或 Inf"},
        "diagnosis": {
            "en": "Your output has NaN or Inf where the right answer is finite. The usual "
                  "causes: a row whose every score is -inf (a mask that hides "
                  "every key of some query: softmax gives 0/0), a division by a zero sum, a "
                  "log of 0, or values read from slots the function should not read (a cache's "
                  "slots past a sequence's length may hold anything, NaN included). Find the "
                  "first NaN in your intermediate tensors (torch.isnan(t).any()).",
            "zh": "你的输出在正确答案有限的地方出现了 NaN 或 Inf。常见原因：某一行的分数"
                  "全为 -inf（掩码把某个查询的所有键都遮住了，softmax 得到 0/0）、除以为零的和、对 0 "
                  "取对数，或读取了不该读取的槽位（缓存中超出序列长度的槽位可能是任意值，包括 NaN）。请在中间张量中找到第一个 NaN（torch.isnan(t).any()）。"}},
    "heads-misplaced": {
        "title": {"en": "Right heads, put back in the wrong places",
                  "zh": "各头结果正确，但放回的位置错了"},
        "diagnosis": {
            "en": "With the output projection set to the identity, every per-head result of "
                  "yours is right but sits in the wrong row or column: the heads [.., h, n, d_h] "
                  "were reshaped back to [.., n, d] without first moving the head axis next to "
                  "d_h. Transpose before you reshape: x.transpose(-3, -2).reshape(..., n, d).",
            "zh": "把输出投影设为单位矩阵后，你每个头的结果都正确，但放在了错误的行或列：把 "
                  "[.., h, n, d_h] 变回 [.., n, d] 时没有先把头这一维移到 d_h 旁边。请先转置再 reshape："
                  "x.transpose(-3, -2).reshape(..., n, d)。"}},
}
