class VitForward(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  patch : int
  heads : int
  depth : int
  avg_pool : bool
  fc_norm : bool
  eps : float
  bf16 : bool
  weights : List[Tensor]
  def load_weights(self: __torch__.VitForward,
    ws: List[Tensor],
    bf16: bool,
    packed: bool) -> int:
    # ws: patch w (D, C*P*P), patch b (D), cls (c, D), reg (R, D), depth x 12 block tensors
    # (norm1 g/b, qkv w/b, proj w/b, norm2 g/b, fc1 w/b, fc2 w/b), norm g/b, head w/b.
    # bf16: every linear weight and bias becomes bfloat16 here, once; LayerNorm parameters,
    # tokens and position tables stay float32 (as under torch.autocast).
    # packed: every linear weight is reordered once into oneDNN's blocked layout (an mkldnn
    # tensor, which routes the lin* helpers to mkldnn::_linear_pointwise) where that layout
    # computes the same product as aten::linear (packs_correctly); the others stay plain.
    out: List[Tensor] = []
    checked = annotate(Dict[str, bool], {})
    n = len(ws)
    for i in range(n):
      w = ws[i]
      if self.is_linear(i, n):
        if bf16:
          w = torch.contiguous(torch.to(w, 15))
        if packed and torch.dim(w) == 2:
          p = self.pack(w)
          key = str(torch.size(w, 0)) + "x" + str(torch.size(w, 1))
          if not torch.__contains__(checked, key):
            checked[key] = self.packs_correctly(p, w)
          if checked[key]:
            w = p
      out.append(w)
    self.weights = out
    self.bf16 = bf16
    return len(out)
  def pack(self: __torch__.VitForward,
    w: Tensor) -> Tensor:
    # (out, in) -> the same weight as an mkldnn tensor in the blocked layout oneDNN's inner product
    # prefers for 128 rows (no row-count hint: the row count varies per call; on AVX2 the products
    # were exact with no hint, a hint of 1 and the call's own rows alike; load_weights checks it)
    return ops.mkldnn._reorder_linear_weight(w, None)
  def packs_correctly(self: __torch__.VitForward,
    p: Tensor,
    w: Tensor) -> bool:
    # Whether the packed weight p (an mkldnn tensor) times x equals aten::linear with the plain w
    # (out, in) for row counts 1, 5, 64 and 300, on a fixed input: oneDNN picks the packed layout for
    # 128 rows, and on some CPUs (AVX-512, out-features not a multiple of 64) the inner product run
    # with that layout gives wrong results (|d| ~ 1). Relative error norm: 1e-4 in fp32, 2e-2 in bf16.
    k = torch.size(w, 1)
    tol = 1.0e-4
    if torch.eq(ops.prim.dtype(w), 15):
      tol = 2.0e-2
    ok = True
    for m in [1, 5, 64, 300]:
      x = torch.type_as(torch.sin(torch.mul(torch.reshape(torch.arange(m * k), [m, k]), 0.37)), w)  # (m, in)
      want = torch.to(torch.linear(x, w), 6)
      got = torch.to(ops.mkldnn._linear_pointwise(x, p, None, "none", annotate(List[Optional[number]], []), ""), 6)
      err = float(torch.norm(torch.sub(got, want)))
      if not (err <= tol * float(torch.norm(want)) + 1.0e-30):
        ok = False
    return ok
  def linear_kernels(self: __torch__.VitForward) -> List[str]:
    # per linear weight, in list order: "onednn-packed" or "aten"
    ws = self.weights
    n = len(ws)
    out: List[str] = []
    for i in range(n):
      if self.is_linear(i, n) and torch.dim(ws[i]) == 2:
        if ws[i].is_mkldnn:
          out.append("onednn-packed")
        else:
          out.append("aten")
    return out
  def is_linear(self: __torch__.VitForward,
    i: int,
    n: int) -> bool:
    if i < 2:
      return True
    if i >= n - 4:
      return i >= n - 2
    if i < 4:
      return False
    j = (i - 4) % 12
    return j >= 2 and j != 6 and j != 7
  def lin(self: __torch__.VitForward,
    x: Tensor,
    w: Tensor,
    b: Tensor) -> Tensor:
    # (..., in) -> (..., out); in bf16 mode the product is bf16 and so is the result. A packed
    # (mkldnn) weight runs oneDNN's inner product, a plain one aten::linear.
    if self.bf16:
      x = torch.to(x, 15)
    if w.is_mkldnn:
      return ops.mkldnn._linear_pointwise(x, w, b, "none", annotate(List[Optional[number]], []), "")
    return torch.linear(x, w, b)
  def lin_gelu(self: __torch__.VitForward,
    x: Tensor,
    w: Tensor,
    b: Tensor) -> Tensor:
    # gelu(x w^T + b), the exact (erf) GELU; on a packed weight fused into the inner product's epilogue
    if self.bf16:
      x = torch.to(x, 15)
    if w.is_mkldnn:
      return ops.mkldnn._linear_pointwise(x, w, b, "gelu", annotate(List[Optional[number]], []), "none")
    return torch.gelu(torch.linear(x, w, b))
  def lin_add(self: __torch__.VitForward,
    x: Tensor,
    w: Tensor,
    b: Tensor,
    r: Tensor) -> Tensor:
    # r + (x w^T + b): the residual r (..., out) float32 and the result float32. fp32 on a packed
    # weight: the add fused into the inner product's epilogue. bf16: the bf16 product is added to
    # the float32 residual (type promotion, as under torch.autocast), no fused add.
    if self.bf16:
      return torch.add(r, self.lin(x, w, b))
    if w.is_mkldnn:
      return ops.mkldnn._linear_pointwise(x, r, w, b, "add")
    return torch.add(r, torch.linear(x, w, b))
  def norm(self: __torch__.VitForward,
    x: Tensor,
    g: Tensor,
    b: Tensor) -> Tensor:
    # LayerNorm over the last axis, always in float32
    return torch.layer_norm(torch.to(x, 6), [torch.size(x, -1)], g, b, self.eps)
  def embed(self: __torch__.VitForward,
    images: Tensor,
    pos: Tensor) -> Tensor:
    # images (B, C, H, W); pos (c + N, D) absolute position table, or (0, D) for none
    ws = self.weights
    p = self.patch
    b = torch.size(images, 0)
    c = torch.size(images, 1)
    r = torch.floordiv(torch.size(images, 2), p)
    q = torch.floordiv(torch.size(images, 3), p)
    x = torch.reshape(images, [b, c, r, p, q, p])  # (B, C, R, P, Q, P)
    x = torch.permute(x, [0, 2, 4, 1, 3, 5])  # (B, R, Q, C, P, P)
    x = torch.reshape(x, [b, r * q, c * p * p])  # (B, N, C*P*P)
    x = torch.to(self.lin(x, ws[0], ws[1]), 6)  # (B, N, D)
    d = torch.size(x, 2)
    cls = ws[2]
    reg = ws[3]
    if torch.size(cls, 0) > 0:
      x = torch.cat([torch.expand(torch.unsqueeze(cls, 0), [b, 1, d]), x], 1)  # (B, 1 + N, D)
    if torch.size(pos, 0) > 0:
      x = torch.add(x, pos)  # (B, c + N, D)
    nreg = torch.size(reg, 0)
    if nreg > 0:
      k = torch.size(cls, 0)
      regs = torch.expand(torch.unsqueeze(reg, 0), [b, nreg, d])  # (B, R, D)
      x = torch.cat([torch.slice(x, 1, 0, k), regs, torch.slice(x, 1, k)], 1)  # (B, c + R + N, D)
    return x
  def rotate(self: __torch__.VitForward,
    x: Tensor,
    cos: Tensor,
    sin: Tensor) -> Tensor:
    # x (2, B, H, T, hd) queries and keys, rotation pairs adjacent (2p, 2p+1); cos, sin (Hh, T, hd/2)
    # one angle per pair (Hh = 1 or H): each pair as the complex number x0 + i x1 times cos + i sin,
    # = (x0 cos - x1 sin, x0 sin + x1 cos), timm's x cos + rot(x) sin, in one float32 kernel that reads
    # the strided q and k once (a rotate_half with slices and concatenation is a dozen passes). The
    # class and register tokens' rows are cos 1, sin 0, which keeps them exactly. x's dtype out.
    pairs = torch.reshape(torch.to(x, 6), [torch.size(x, 0), torch.size(x, 1), torch.size(x, 2), torch.size(x, 3), torch.floordiv(torch.size(x, 4), 2), 2])  # (2, B, H, T, hd/2, 2)
    turned = torch.mul(torch.view_as_complex(pairs), torch.complex(cos, sin))  # (2, B, H, T, hd/2) complex
    return torch.type_as(torch.reshape(torch.view_as_real(turned), torch.size(x)), x)
  def attention(self: __torch__.VitForward,
    x: Tensor,
    i: int,
    cos: Tensor,
    sin: Tensor) -> Tensor:
    # x (B, T, D) normalized tokens of block i -> (B, T, D) heads' outputs (block projects them);
    # cos, sin (L, Hh, T, hd/2) rotary tables (L = 1 shared by every block, or depth: one per block),
    # or (0, 1, 1, 1) without RoPE
    ws = self.weights
    o = 4 + 12 * i
    b = torch.size(x, 0)
    t = torch.size(x, 1)
    d = torch.size(x, 2)
    h = self.heads
    qkv = self.lin(x, ws[o + 2], ws[o + 3])  # (B, T, 3D)
    qkv = torch.permute(torch.reshape(qkv, [b, t, 3, h, torch.floordiv(d, h)]), [2, 0, 3, 1, 4])  # (3, B, H, T, hd)
    qk = torch.slice(qkv, 0, 0, 2)  # (2, B, H, T, hd)
    n = torch.size(cos, 0)
    if n > 0:
      j = i
      if n == 1:
        j = 0
      qk = self.rotate(qk, torch.select(cos, 0, j), torch.select(sin, 0, j))  # (Hh, T, hd/2) tables of block i
    q = torch.select(qk, 0, 0)  # (B, H, T, hd)
    k = torch.select(qk, 0, 1)
    v = torch.select(qkv, 0, 2)
    if self.bf16:
      # bfloat16: two products (oneDNN) with the softmax between them on bfloat16 scores (the
      # kernel computes in float32), not the CPU flash kernel, which is slow in bfloat16
      s = torch.matmul(torch.mul(q, 1. / torch.sqrt(torch.size(q, 3))), torch.transpose(k, 2, 3))  # (B, H, T, T)
      a = torch.matmul(torch.softmax(s, -1), v)
    else:
      a = torch.scaled_dot_product_attention(q, k, v)  # (B, H, T, hd), softmax(q k^T / sqrt(hd)) v
    return torch.reshape(torch.transpose(a, 1, 2), [b, t, d])  # (B, T, D), before the projection
  def block(self: __torch__.VitForward,
    x: Tensor,
    i: int,
    cos: Tensor,
    sin: Tensor) -> Tensor:
    # pre-norm encoder block i: x (B, T, D) float32 -> (B, T, D) float32. LayerScale, where the
    # model has it, is folded into proj and fc2 at load (gamma * (W x + b) = (gamma W) x + gamma b).
    ws = self.weights
    o = 4 + 12 * i
    a = self.attention(self.norm(x, ws[o], ws[o + 1]), i, cos, sin)  # (B, T, D)
    x = self.lin_add(a, ws[o + 4], ws[o + 5], x)  # x + proj(a)
    hid = self.lin_gelu(self.norm(x, ws[o + 6], ws[o + 7]), ws[o + 8], ws[o + 9])  # (B, T, M)
    return self.lin_add(hid, ws[o + 10], ws[o + 11], x)  # x + fc2(hid)
  def features(self: __torch__.VitForward,
    images: Tensor,
    pos: Tensor,
    cos: Tensor,
    sin: Tensor) -> Tensor:
    # all blocks and, unless it follows pooling, the final norm: (B, T, D) float32
    ws = self.weights
    n = len(ws)
    x = self.embed(images, pos)
    for i in range(self.depth):
      x = self.block(x, i, cos, sin)
    if not self.fc_norm:
      x = self.norm(x, ws[n - 4], ws[n - 3])
    return x
  def pooled(self: __torch__.VitForward,
    images: Tensor,
    pos: Tensor,
    cos: Tensor,
    sin: Tensor) -> Tensor:
    # (B, D) float32: the class token, or the mean of the patch tokens
    ws = self.weights
    n = len(ws)
    x = self.features(images, pos, cos, sin)
    if self.avg_pool:
      prefix = torch.size(ws[2], 0) + torch.size(ws[3], 0)
      y = torch.mean(torch.slice(x, 1, prefix), [1])
    else:
      y = torch.select(x, 1, 0)
    if self.fc_norm:
      y = self.norm(y, ws[n - 4], ws[n - 3])
    return y
  def forward(self: __torch__.VitForward,
    images: Tensor,
    pos: Tensor,
    cos: Tensor,
    sin: Tensor) -> Tuple[Tensor, Tensor]:
    # (logits (B, K), pooled (B, D)), both float32
    ws = self.weights
    n = len(ws)
    y = self.pooled(images, pos, cos, sin)
    logits = torch.to(self.lin(y, ws[n - 2], ws[n - 1]), 6)
    return (logits, y)
