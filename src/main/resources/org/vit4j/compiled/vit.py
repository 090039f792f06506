class Vit(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  patch : int
  heads : int
  depth : int
  avg_pool : bool
  fc_norm : bool
  key_bias : bool
  rope : int
  rope_half : bool
  eps : float
  dropout : float
  drop_path : float
  bf16 : bool
  block_start : int
  block_stride : int
  weights : List[Tensor]
  routes : List[int]
  packed : List[__torch__.torch.classes.quantized.LinearPackedParamsBase]
  q_weights : List[Tensor]
  q_scales : List[Tensor]
  q_level : int
  mkl_rows : int
  mkl_packed : List[Tensor]
  mkl_plain : List[Tensor]
  attn_route : int
  # WEIGHT OFFSETS
  # The network, written once. The host (VitProgram) sets the attributes: `training` picks the
  # route (True: every operator differentiable, dropout and stochastic depth on, q, k and v by
  # three products; False: linear weights packed for oneDNN where that is exact, the residual add
  # and the GELU fused into the products), and the weight offsets (i_* above: where each weight
  # sits in the list, globally or within a block of block_stride tensors from block_start) follow
  # from the host's one list of weight names. Absent weights are empty tensors ((0, D) tokens and
  # tables, (0) gammas and frequencies) or zeros (a qkv bias).
  #
  # Inference: load_weights(ws, packed) once, then forward / pooled / encoded / embed, each
  # (images, pos, cos, sin) with the weights kept by the module. Training: step / gradients /
  # train_step with the weights as an argument, prepared inside the step so gradients reach them,
  # and the input grid's tables as one list grid = [pos, cos, sin, coords].
  # pos (c + N, D): the absolute table of the input's grid, or (0, D) (a learned table at its own
  # grid is a weight); cos, sin (L, Hh, T, hd/2): one angle per rotation pair, L = 1 (every block)
  # or depth, Hh = 1 (every head) or H, rows 1 and 0 for the prefix tokens; (0, 1, 1, 1) without
  # RoPE or where the program computes them (coords).
  def prepare(self: __torch__.Vit,
    ws: List[Tensor]) -> List[Tensor]:
    # The weights as the block reads them, from the network's own: the key third of a qkv bias
    # without key part zeroed (timm Eva), the query and key rows of a half-layout rotary model
    # permuted to adjacent pairs (pairs_adjacent), LayerScale folded into attn.proj and mlp.fc2
    # (gamma (W x + b) = (gamma W) x + gamma b), and in bf16 every linear weight and bias cast to
    # bfloat16 (LayerNorm parameters, tokens and tables stay float32, as under torch.autocast).
    # Differentiable: the training step runs it on the parameters at every step.
    out: List[Tensor] = []
    for w in ws:
      out.append(w)
    for i in range(self.depth):
      o = self.block_start + self.block_stride * i
      w = out[o + self.i_attn_qkv_weight]
      b = out[o + self.i_attn_qkv_bias]
      if not self.key_bias:
        d = torch.floordiv(torch.size(b, 0), 3)
        b = torch.cat([torch.slice(b, 0, 0, d), torch.zeros_like(torch.slice(b, 0, d, 2 * d)), torch.slice(b, 0, 2 * d)])
      if self.rope > 0 and self.rope_half:
        w = self.pairs_adjacent(w)
        b = self.pairs_adjacent(b)
      out[o + self.i_attn_qkv_weight] = w
      out[o + self.i_attn_qkv_bias] = b
      self.fold(out, o + self.i_attn_proj_weight, o + self.i_attn_proj_bias, out[o + self.i_ls1_gamma])
      self.fold(out, o + self.i_mlp_fc2_weight, o + self.i_mlp_fc2_bias, out[o + self.i_ls2_gamma])
    if self.bf16:
      for j in self.linear():
        out[j] = torch.contiguous(torch.to(out[j], 15))
        out[j + 1] = torch.to(out[j + 1], 15)
    return out
  def fold(self: __torch__.Vit,
    ws: List[Tensor],
    w: int,
    b: int,
    gamma: Tensor) -> None:
    # LayerScale gamma (D), or nothing when empty, into the rows of weight ws[w] (D, in) and bias ws[b] (D)
    if torch.numel(gamma) > 0:
      ws[w] = torch.mul(ws[w], torch.unsqueeze(gamma, 1))
      ws[b] = torch.mul(ws[b], gamma)
  def pairs_adjacent(self: __torch__.Vit,
    t: Tensor) -> Tensor:
    # t (3D, in) qkv weight or (3D) bias, rows q | k | v, head-major: the query and key rows of each
    # head from the half rotation layout (pairs p, p + hd/2) to adjacent pairs (2p, 2p+1); v keeps
    # its order. q and k permuted alike keep every q.k, so attention is unchanged, and the program
    # always turns adjacent pairs; in training the gradient flows back through the permutation.
    s = torch.size(t)
    d = torch.floordiv(s[0], 3)
    h = self.heads
    hd = torch.floordiv(d, h)
    halves = torch.reshape(torch.slice(t, 0, 0, 2 * d), [2 * h, 2, torch.floordiv(hd, 2), -1])  # (2H, 2, hd/2, in)
    qk = torch.reshape(torch.transpose(halves, 1, 2), [2 * d, -1])  # (2D, in)
    return torch.reshape(torch.cat([qk, torch.reshape(torch.slice(t, 0, 2 * d), [d, -1])]), s)
  def linear(self: __torch__.Vit) -> List[int]:
    # the places of the linear weights in the list, each followed by its bias: patch embedding,
    # per block qkv, proj, fc1, fc2, then the head
    out = [self.i_patch_embed_proj_weight]
    for i in range(self.depth):
      o = self.block_start + self.block_stride * i
      out.append(o + self.i_attn_qkv_weight)
      out.append(o + self.i_attn_proj_weight)
      out.append(o + self.i_mlp_fc1_weight)
      out.append(o + self.i_mlp_fc2_weight)
    out.append(self.i_head_weight)
    return out
  def load_weights(self: __torch__.Vit,
    ws: List[Tensor],
    routes: List[int]) -> int:
    # Inference: keeps the prepared weights, each linear weight stored for its route. routes: one
    # code per linear layer, in linear()'s order (route_names(): 0 aten::linear on the plain weight,
    # 1 oneDNN's inner product on a weight reordered once into its blocked layout, an mkldnn tensor;
    # 2 MKL's packed sgemm; 3 int8: the weight quantized per output channel and packed for
    # libtorch's quantized engine; 4 int8-rows: the weight quantized per output channel for
    # aten::_int_mm; see store).
    # A route is kept for a weight shape only where it computes the same product as aten::linear
    # (agrees); elsewhere the weight stays plain (route 0). self.routes: the route of every entry of
    # the list, -1 for weights that are not linear.
    out = self.prepare(ws)
    layers = self.linear()
    torch.clear(self.mkl_packed)
    torch.clear(self.mkl_plain)
    torch.clear(self.q_weights)
    torch.clear(self.q_scales)
    self.packed = annotate(List[__torch__.torch.classes.quantized.LinearPackedParamsBase], [])
    if len(routes) != len(layers):
      ops.prim.RaiseException("load_weights: " + str(len(routes)) + " routes for " + str(len(layers)) + " linear layers", "builtins.RuntimeError")
    kept: List[int] = []
    for _ in range(len(out)):
      kept.append(-1)
    checked = annotate(Dict[str, bool], {})
    for n in range(len(layers)):
      j = layers[n]
      r = routes[n]
      w = out[j]
      if r != 0:
        stored = self.store(w, r)
        key = str(r) + ":" + str(torch.size(w, 0)) + "x" + str(torch.size(w, 1))
        if not torch.__contains__(checked, key):
          checked[key] = self.agrees(stored, w, r)
        if checked[key]:
          out[j] = stored
        else:
          r = 0
      kept[j] = r
    self.weights = out
    self.routes = kept
    return len(out)
  def route_names(self: __torch__.Vit) -> List[str]:
    # the routes' names, by code
    return ["aten", "onednn-packed", "mkl-packed", "int8", "int8-rows"]
  def store(self: __torch__.Vit,
    w: Tensor,
    r: int) -> Tensor:
    # the plain weight (out, in) as route r keeps it
    if r == 1:
      return self.pack(w)
    if r == 2:
      # MKL's packed sgemm (fp32): cblas_sgemm_pack of w for mkl_rows rows. mkl::_mkl_linear needs
      # the packed and the plain weight and uses the packed one only for exactly the rows it was
      # packed for (other row counts: aten::linear on the plain one), so both are kept, at index k
      # of mkl_packed and mkl_plain, and the weight list holds k as a (1) int64 tensor.
      k = len(self.mkl_packed)
      _0 = torch.append(self.mkl_packed, ops.mkl._mkl_reorder_linear_weight(w, self.mkl_rows))
      _1 = torch.append(self.mkl_plain, w)
      return torch.tensor([k], dtype=4, device=None, requires_grad=False)
    if r == 3:
      # libtorch's dynamic quantized linear (fbgemm on x86): the weight quantized per output
      # channel (quantized) and packed, at index k of self.packed; the weight list holds k.
      k = len(self.packed)
      _2 = torch.append(self.packed, ops.quantized.linear_prepack(self.quantized(w), None))
      return torch.tensor([k], dtype=4, device=None, requires_grad=False)
    if r == 4:
      # aten::_int_mm: the weight in int8, transposed to (in, out), one scale per output channel, at
      # index k of q_weights and q_scales; the weight list holds k.
      if self.q_level < 0:
        self.q_level = self.int8_level()
      level = self.q_level
      if level == 0:
        level = 127  # no exact level on this CPU: agrees refuses the route whatever its error
      amax = torch.clamp_min(torch.amax(torch.abs(w), [1]), 1.0e-30)  # (out)
      scales = torch.div(amax, float(level))
      q = torch.to(torch.round(torch.div(w, torch.unsqueeze(scales, 1))), 1)  # (out, in) int8
      k = len(self.q_weights)
      _3 = torch.append(self.q_weights, torch.contiguous(torch.t(q)))
      _4 = torch.append(self.q_scales, scales)
      return torch.tensor([k], dtype=4, device=None, requires_grad=False)
    return w
  def int8_level(self: __torch__.Vit) -> int:
    # The largest weight level, 127 or 63, at which aten::_int_mm sums int8 products exactly on this
    # CPU, or 0 if neither. Where the CPU has no 8-bit dot product instruction (VNNI), oneDNN's
    # kernels may add pairs of products in 16 bits with saturation, and a signed input shifted to
    # unsigned reaches 255: 2 * 255 * 127 overflows, 2 * 255 * 63 does not. Checked on the worst
    # case (rows of +-127 against columns of +-level, and mixed signs) against the float64 product.
    k = 256
    ramp = torch.sin(torch.mul(torch.arange(14 * k), 0.37))  # (14 k) in [-1, 1]
    ones = torch.ones([1, k], dtype=6, layout=None, device=None, pin_memory=None)
    a = torch.cat([torch.mul(ones, 127.), torch.mul(ones, -127.), torch.reshape(torch.round(torch.mul(ramp, 127.)), [14, k])])  # (16, k)
    for level in [127, 63]:
      col = torch.t(ones)  # (k, 1)
      b = torch.reshape(torch.round(torch.mul(ramp, float(level))), [k, 14])
      b = torch.cat([torch.mul(col, float(level)), torch.mul(col, float(-level)), b], 1)  # (k, 16)
      got = torch._int_mm(torch.to(a, 1), torch.to(b, 1))
      want = torch.mm(torch.to(a, 7), torch.to(b, 7))
      if torch.equal(torch.to(got, 7), want):
        return level
    return 0
  def agrees(self: __torch__.Vit,
    stored: Tensor,
    w: Tensor,
    r: int) -> bool:
    # Whether route r on the stored weight times x equals aten::linear with the plain w (out, in)
    # for row counts 1, 5, 64 and 300, on a fixed input: oneDNN picks the packed layout for 128
    # rows, and on some CPUs (AVX-512, out-features not a multiple of 64) the inner product run with
    # that layout gives wrong results (|d| ~ 1). Relative error norm: 1e-4 in fp32, 2e-2 in bf16.
    # int8 (routes 3, 4): 3e-2, the quantization's own error (8-bit weights per output channel,
    # 7-bit activations per image or 8-bit per row) on these inputs is about 1e-2.
    k = torch.size(w, 1)
    tol = 1.0e-4
    if torch.eq(ops.prim.dtype(w), 15):
      tol = 2.0e-2
    if r == 3 or r == 4:
      tol = 3.0e-2
    if r == 4 and self.q_level == 0:
      return False  # aten::_int_mm sums no weight level exactly here (int8_level)
    ok = True
    rows = [1, 5, 64, 300]
    if r == 2:
      rows.append(self.mkl_rows)  # the row count the MKL weight is packed for
    for m in rows:
      x = torch.type_as(torch.sin(torch.mul(torch.reshape(torch.arange(m * k), [m, k]), 0.37)), w)  # (m, in)
      want = torch.to(torch.linear(x, w), 6)
      got = torch.to(self.routed(x, stored, None, r, False), 6)
      err = float(torch.norm(torch.sub(got, want)))
      if not (err <= tol * float(torch.norm(want)) + 1.0e-30):
        ok = False
    return ok
  def invariant(self: __torch__.Vit,
    stored: Tensor,
    w: Tensor,
    r: int) -> bool:
    # Whether route r's product of a row is the same, bit for bit, whatever the rows around it:
    # x (2 n, in) multiplied at once and in parts (the first 1, 5 and n rows and the second n rows),
    # as an image alone and in a batch are; n = mkl_rows for route 2 (MKL's packed sgemm serves only
    # the rows it was packed for, other row counts take aten::linear), else 64 (MKL's own sgemm may
    # sum a single row in another order than several); at least 8.
    n = 64
    if r == 2:
      n = self.mkl_rows
    if n < 8:
      n = 8
    k = torch.size(w, 1)
    x = torch.type_as(torch.sin(torch.mul(torch.reshape(torch.arange(2 * n * k), [2 * n, k]), 0.29)), w)  # (2n, in)
    whole = self.routed(x, stored, None, r, False)
    ok = True
    for lo, hi in [(0, 1), (0, 5), (0, n), (n, 2 * n)]:
      part = self.routed(torch.slice(x, 0, lo, hi), stored, None, r, False)
      if not torch.equal(part, torch.slice(whole, 0, lo, hi)):
        ok = False
    return ok
  def pack(self: __torch__.Vit,
    w: Tensor) -> Tensor:
    # (out, in) -> the same weight as an mkldnn tensor in the blocked layout oneDNN's inner product
    # prefers for 128 rows (no row-count hint: the row count varies per call; on AVX2 the products
    # were exact with no hint, a hint of 1 and the call's own rows alike; load_weights checks it)
    return ops.mkldnn._reorder_linear_weight(w, None)
  def quantized(self: __torch__.Vit,
    w: Tensor) -> Tensor:
    # (out, in) float32 -> the same weight in int8, one scale per output channel (row), symmetric
    # (zero point 0): scale = max |row| / 127, so every weight rounds to -127..127
    amax = torch.clamp_min(torch.amax(torch.abs(w), [1]), 1.0e-12)  # (out)
    scales = torch.to(torch.div(amax, 127.), 7)
    zeros = torch.zeros([torch.size(w, 0)], dtype=4, layout=None, device=ops.prim.device(w), pin_memory=None)
    return torch.quantize_per_channel(torch.contiguous(w), scales, zeros, 0, 12)
  def int8(self: __torch__.Vit,
    x: Tensor,
    p: __torch__.torch.classes.quantized.LinearPackedParamsBase) -> Tensor:
    # x (B, T, in) or (B, in) float32 times an int8 weight packed with its bias (p), by libtorch's
    # dynamic quantized linear (fbgemm on x86): each image's activations quantized to unsigned
    # 7 bits with their own scale (a whole-batch scale would let one image change another's
    # result), products summed exactly in int32, then scaled back to float32 with the bias added.
    # 7 bits (reduce_range): on CPUs without VNNI the kernel sums pairs of 8-bit products in
    # 16 bits, which saturate for 8-bit activations; with 7 bits every CPU gives the same result.
    flat = torch.dim(x) == 2
    if flat:
      x = torch.unsqueeze(x, 1)  # (B, 1, in): one row per image
    if torch.size(x, 0) == 1:
      y = ops.quantized.linear_dynamic(x, p, True)
    else:
      parts: List[Tensor] = []
      for i in range(torch.size(x, 0)):
        parts.append(ops.quantized.linear_dynamic(torch.slice(x, 0, i, i + 1), p, True))
      y = torch.cat(parts)  # (B, T, out)
    if flat:
      y = torch.squeeze(y, 1)
    return y
  def int8_rows(self: __torch__.Vit,
    x: Tensor,
    wq: Tensor,
    scales: Tensor,
    b: Optional[Tensor]) -> Tensor:
    # x (..., in) float32 times an int8 weight wq (in, out) with one scale per output column, plus
    # b, by aten::_int_mm (oneDNN's int8 matrix product): each row of x (a token) quantized to 8
    # bits with its own scale, max |row| / 127, products summed exactly in int32, then scaled back
    # to float32. Every step is per row or per element, so a row's result never depends on the
    # rows around it (load_weights checks it, invariant). Scaling back is one multiply by the rows'
    # scales and one multiply-add of the columns' scales and the bias (aminmax for the rows' range,
    # quantize_per_channel for the rounding and a second multiply were each slower, measured at
    # ViT shapes).
    shape = torch.size(x)
    x2 = torch.reshape(x, [-1, shape[-1]])  # (rows, in)
    s = torch.div(torch.clamp_min(torch.amax(torch.abs(x2), [1], True), 1.0e-30), 127.)  # (rows, 1)
    q = torch.to(torch.round(torch.div(x2, s)), 1)  # (rows, in) int8
    y = torch.mul(torch._int_mm(q, wq), s)  # (rows, out) float32
    if b is not None:
      y = torch.addcmul(b, y, scales)
    else:
      y = torch.mul(y, scales)
    out = torch.slice(shape, 0, -1)
    out.append(torch.size(wq, 1))
    return torch.reshape(y, out)
  def int8_error(self: __torch__.Vit,
    w: Tensor,
    x: Tensor,
    r: int) -> float:
    # An int8 route's (3 or 4) relative error on a plain weight w (out, in) and input x (..., in):
    # |route(x) - x w^T| / |x w^T| (Frobenius norms), as agrees measures it; for tests and the docs.
    want = torch.linear(x, w)
    got = self.routed(x, self.store(w, r), None, r, False)
    return float(torch.norm(torch.sub(got, want))) / (float(torch.norm(want)) + 1.0e-30)
  def linear_kernels(self: __torch__.Vit) -> List[str]:
    # per linear weight, in linear()'s order: the name of the route it got
    names = self.route_names()
    out: List[str] = []
    for j in self.linear():
      out.append(names[self.routes[j]])
    return out
  def lin(self: __torch__.Vit,
    x: Tensor,
    w: Tensor,
    b: Tensor) -> Tensor:
    # x w^T + b on a plain weight (out, in): (..., in) -> (..., out), aten::linear (differentiable)
    return self.product(x, w, b, False)
  def product(self: __torch__.Vit,
    x: Tensor,
    w: Tensor,
    b: Tensor,
    gelu: bool) -> Tensor:
    # (..., in) -> (..., out) by aten::linear on a plain weight, then the exact (erf) GELU if
    # asked; in bf16 the weights are bfloat16 (prepare), and so are the input's cast, the product
    # and the result.
    if self.bf16:
      x = torch.to(x, 15)
    y = torch.linear(x, w, b)
    if gelu:
      y = torch.gelu(y)
    return y
  def layer(self: __torch__.Vit,
    x: Tensor,
    ws: List[Tensor],
    j: int,
    gelu: bool) -> Tensor:
    # the linear layer whose weight is ws[j] (bias ws[j + 1]): (..., in) -> (..., out), then the
    # GELU if asked. Training: aten::linear (product). Inference: the route load_weights kept.
    if self.training:
      return self.product(x, ws[j], ws[j + 1], gelu)
    return self.routed(x, ws[j], ws[j + 1], self.routes[j], gelu)
  def routed(self: __torch__.Vit,
    x: Tensor,
    w: Tensor,
    b: Optional[Tensor],
    r: int,
    gelu: bool) -> Tensor:
    # inference: x times the weight w as route r stores it (store), plus b, then the GELU if asked.
    # Route 1 (oneDNN, packed weight): the GELU fused into the inner product's epilogue. Routes 2,
    # 3 and 4: w holds the index of the stored weight.
    if self.bf16:
      x = torch.to(x, 15)
    if r == 3 or r == 4:
      k = int(w)
      if r == 3:
        y = self.int8(x, self.packed[k])
        if b is not None:
          y = torch.add(y, b)
      else:
        y = self.int8_rows(x, self.q_weights[k], self.q_scales[k], b)
      if gelu:
        y = torch.gelu(y)
      return y
    if r == 1:
      if gelu:
        return ops.mkldnn._linear_pointwise(x, w, b, "gelu", annotate(List[Optional[number]], []), "none")
      return ops.mkldnn._linear_pointwise(x, w, b, "none", annotate(List[Optional[number]], []), "")
    if r == 2:
      k = int(w)
      y = ops.mkl._mkl_linear(x, self.mkl_packed[k], self.mkl_plain[k], b, self.mkl_rows)
      if gelu:
        y = torch.gelu(y)
      return y
    y = torch.linear(x, w, b)
    if gelu:
      y = torch.gelu(y)
    return y
  def residual(self: __torch__.Vit,
    h: Tensor,
    ws: List[Tensor],
    j: int,
    x: Tensor,
    i: int) -> Tensor:
    # x + (h w^T + b) in block i, w = ws[j], b = ws[j + 1]: the residual x (..., out) float32 and the
    # result float32. Training: dropout on the branch, then stochastic depth. fp32 inference on
    # route 1: the add fused into the inner product's epilogue. bf16: the bf16 product is added to
    # the float32 residual (type promotion, as under torch.autocast), no fused add.
    w = ws[j]
    b = ws[j + 1]
    if self.training:
      return torch.add(x, self.drop_branch(self.drop(self.lin(h, w, b), self.dropout), i))
    r = self.routes[j]
    if r == 1 and not self.bf16:
      return ops.mkldnn._linear_pointwise(h, x, w, b, "add")
    return torch.add(x, self.routed(h, w, b, r, False))
  def norm(self: __torch__.Vit,
    x: Tensor,
    g: Tensor,
    b: Tensor) -> Tensor:
    # LayerNorm over the last axis, always in float32
    return torch.layer_norm(torch.to(x, 6), [torch.size(x, -1)], g, b, self.eps)
  def drop(self: __torch__.Vit,
    x: Tensor,
    p: float) -> Tensor:
    # dropout in training, from libtorch's default generator (the caller seeds it before every step)
    if self.training and p > 0.:
      return torch.dropout(x, p, True)
    return x
  def drop_branch(self: __torch__.Vit,
    x: Tensor,
    i: int) -> Tensor:
    # stochastic depth of block i in training: rate drop_path * i / (depth - 1); whole branches per
    # sample, kept ones scaled by 1 / keep
    if not self.training or self.drop_path <= 0. or self.depth == 1:
      return x
    keep = 1. - self.drop_path * i / (self.depth - 1)
    if keep >= 1.:
      return x
    b = torch.size(x, 0)
    u = torch.rand([b, 1, 1], dtype=6, layout=None, device=ops.prim.device(x), pin_memory=None)  # (B, 1, 1)
    mask = torch.div(torch.to(torch.lt(u, keep), 6), keep)
    return torch.mul(x, mask)
  def tokens(self: __torch__.Vit,
    images: Tensor,
    pos: Tensor,
    ws: List[Tensor]) -> Tensor:
    # images (B, C, H, W) -> tokens (B, c + R + N, D) float32: patches, class token, position
    # table (the learned one where it is a weight, else pos), then registers (which get no position)
    p = self.patch
    b = torch.size(images, 0)
    c = torch.size(images, 1)
    r = torch.floordiv(torch.size(images, 2), p)
    q = torch.floordiv(torch.size(images, 3), p)
    x = torch.reshape(images, [b, c, r, p, q, p])  # (B, C, R, P, Q, P)
    x = torch.permute(x, [0, 2, 4, 1, 3, 5])  # (B, R, Q, C, P, P)
    x = torch.reshape(x, [b, r * q, c * p * p])  # (B, N, C*P*P)
    x = torch.to(self.layer(x, ws, self.i_patch_embed_proj_weight, False), 6)  # (B, N, D)
    d = torch.size(x, 2)
    cls = ws[self.i_cls_token]
    reg = ws[self.i_reg_token]
    if torch.size(cls, 0) > 0:
      x = torch.cat([torch.expand(torch.unsqueeze(cls, 0), [b, 1, d]), x], 1)  # (B, 1 + N, D)
    table = pos
    if torch.size(ws[self.i_pos_embed_table], 0) > 0:
      table = ws[self.i_pos_embed_table]
    if torch.size(table, 0) > 0:
      x = torch.add(x, table)  # (B, c + N, D)
    nreg = torch.size(reg, 0)
    if nreg > 0:
      k = torch.size(cls, 0)
      regs = torch.expand(torch.unsqueeze(reg, 0), [b, nreg, d])  # (B, R, D)
      x = torch.cat([torch.slice(x, 1, 0, k), regs, torch.slice(x, 1, k)], 1)  # (B, c + R + N, D)
    return x
  def mixed(self: __torch__.Vit,
    coords: Tensor,
    f: Tensor,
    prefix: int) -> Tuple[Tensor, Tensor]:
    # RoPE-Mixed's rotation of every block from its learned frequencies f (2, depth, H, hd/2) and
    # the patches' coordinates coords (2, N) (timm get_mixed_freqs): angles t_x f_x + t_y f_y, with
    # angle 0 for the prefix tokens -> cos, sin (depth, H, T, hd/2)
    n = torch.size(coords, 1)
    tx = torch.reshape(torch.select(coords, 0, 0), [1, 1, n, 1])
    ty = torch.reshape(torch.select(coords, 0, 1), [1, 1, n, 1])
    angles = torch.add(torch.mul(tx, torch.unsqueeze(torch.select(f, 0, 0), 2)), torch.mul(ty, torch.unsqueeze(torch.select(f, 0, 1), 2)))  # (depth, H, N, hd/2)
    if prefix > 0:
      s = torch.size(angles)
      angles = torch.cat([torch.zeros([s[0], s[1], prefix, s[3]], dtype=6, layout=None, device=ops.prim.device(f), pin_memory=None), angles], 2)
    return (torch.cos(angles), torch.sin(angles))
  def rotate(self: __torch__.Vit,
    x: Tensor,
    cos: Tensor,
    sin: Tensor) -> Tensor:
    # x (..., H, T, hd) queries or keys, rotation pairs adjacent (2p, 2p+1); cos, sin (Hh, T, hd/2)
    # one angle per pair (Hh = 1 or H): each pair as the complex number x0 + i x1 times cos + i sin,
    # = (x0 cos - x1 sin, x0 sin + x1 cos), timm's x cos + rot(x) sin, in one float32 kernel that reads
    # the strided q and k once (a rotate_half with slices and concatenation is a dozen passes). The
    # class and register tokens' rows are cos 1, sin 0, which keeps them exactly. x's dtype out.
    s = torch.size(x)
    pairs = torch.reshape(torch.to(x, 6), torch.add(torch.slice(s, 0, -1), [torch.floordiv(s[-1], 2), 2]))  # (..., hd/2, 2)
    turned = torch.mul(torch.view_as_complex(pairs), torch.complex(cos, sin))  # (..., H, T, hd/2) complex
    return torch.type_as(torch.reshape(torch.view_as_real(turned), s), x)
  def attend(self: __torch__.Vit,
    q: Tensor,
    k: Tensor,
    v: Tensor) -> Tensor:
    # softmax(q k^T / sqrt(hd)) v: (B, H, T, hd)
    if self.bf16:
      # bfloat16: two products (oneDNN) and the softmax between them on bfloat16 scores, which
      # the softmax kernel reads into float32 and writes back rounded, as autocast's float32
      # softmax followed by the cast for the second product; q scaled first, as timm's Attention
      # does (exact when hd is a power of 4: 1/4 for hd 16, 1/8 for hd 64); not the CPU flash
      # kernel, which is slow in bfloat16
      s = torch.matmul(torch.mul(q, 1. / torch.sqrt(torch.size(q, 3))), torch.transpose(k, 2, 3))  # (B, H, T, T)
      return torch.matmul(torch.softmax(s, -1), v)
    return self.attend_route(q, k, v, self.attn_route)
  def attend_route(self: __torch__.Vit,
    q: Tensor,
    k: Tensor,
    v: Tensor,
    r: int) -> Tensor:
    # fp32 attention (B, H, T, hd) by route r (attention_names()): 0 the CPU flash kernel
    # (scaled_dot_product_attention); 1 two products and the softmax between them, q scaled
    # first, the scores (B, H, T, T) written out
    if r == 1:
      s = torch.matmul(torch.mul(q, 1. / torch.sqrt(torch.size(q, 3))), torch.transpose(k, 2, 3))  # (B, H, T, T)
      return torch.matmul(torch.softmax(s, -1), v)
    return torch.scaled_dot_product_attention(q, k, v)
  def attention_names(self: __torch__.Vit) -> List[str]:
    # the fp32 attention routes' names, by code
    return ["flash", "matmul"]
  def set_kernels(self: __torch__.Vit,
    mkl_rows: int,
    attn_route: int) -> int:
    # inference: the row count MKL's packed weights are packed for (route 2; set before load_weights)
    # and the fp32 attention route
    self.mkl_rows = mkl_rows
    self.attn_route = attn_route
    return mkl_rows
  def time_linear(self: __torch__.Vit,
    stored: Tensor,
    b: Tensor,
    x: Tensor,
    r: int,
    reps: int) -> Tensor:
    # x (rows, in) times the weight stored for route r (store), plus b, reps times: the host times
    # this call to choose a route; returns the last product. Each product's bias depends on the
    # one before (by 1e-30 of its first element), so that no two are the same computation: the JIT
    # unrolls loops and merges identical operations.
    y = x
    bi = b
    for _ in range(reps):
      y = self.routed(x, stored, bi, r, False)
      bi = torch.add(b, torch.mul(torch.select(torch.select(y, 0, 0), 0, 0), 1.0e-30))
    return y
  def time_attention(self: __torch__.Vit,
    q: Tensor,
    k: Tensor,
    v: Tensor,
    r: int,
    reps: int) -> Tensor:
    # attention route r on q, k, v (B, H, T, hd), reps times, for the host to time; the last output.
    # Each pass's q depends on the pass before (as in time_linear).
    y = q
    qi = q
    for _ in range(reps):
      y = self.attend_route(qi, k, v, r)
      qi = torch.add(q, torch.mul(torch.select(torch.select(torch.select(torch.select(y, 0, 0), 0, 0), 0, 0), 0, 0), 1.0e-30))
    return y
  def heads_view(self: __torch__.Vit,
    x: Tensor) -> Tensor:
    # (B, T, D) -> (B, H, T, hd), a view
    s = torch.size(x)
    return torch.transpose(torch.reshape(x, [s[0], s[1], self.heads, torch.floordiv(s[2], self.heads)]), 1, 2)
  def attention(self: __torch__.Vit,
    x: Tensor,
    ws: List[Tensor],
    j: int,
    cos: Tensor,
    sin: Tensor) -> Tensor:
    # x (B, T, D) normalized tokens, ws[j] (3D, D) and ws[j + 1] (3D) the qkv projection; cos, sin
    # (Hh, T, hd/2) the block's rotation, or empty -> (B, T, D) heads' outputs, before the projection
    b = torch.size(x, 0)
    t = torch.size(x, 1)
    d = torch.size(x, 2)
    turn = torch.numel(cos) > 0
    if self.training:
      # q, k and v by three products on row blocks of the qkv weight: each output is its own
      # (B, T, D) tensor, so its (B, H, T, hd) view goes to the attention kernel without a copy,
      # and the kernel's gradients come back in that same layout (a split of one (B, T, 3D) output
      # would be copied into (3, B, H, T, hd) and its gradient stacked back)
      w = ws[j]
      bias = ws[j + 1]
      if self.bf16:
        x = torch.to(x, 15)  # cast once for the three products
      q = self.heads_view(self.lin(x, torch.slice(w, 0, 0, d), torch.slice(bias, 0, 0, d)))
      k = self.heads_view(self.lin(x, torch.slice(w, 0, d, 2 * d), torch.slice(bias, 0, d, 2 * d)))
      v = self.heads_view(self.lin(x, torch.slice(w, 0, 2 * d), torch.slice(bias, 0, 2 * d)))  # (B, H, T, hd)
      if turn:
        q = self.rotate(q, cos, sin)
        k = self.rotate(k, cos, sin)
    else:
      # one product on the (packed) weight; q and k turned together, one kernel
      qkv = self.layer(x, ws, j, False)  # (B, T, 3D)
      qkv = torch.permute(torch.reshape(qkv, [b, t, 3, self.heads, torch.floordiv(d, self.heads)]), [2, 0, 3, 1, 4])  # (3, B, H, T, hd)
      qk = torch.slice(qkv, 0, 0, 2)  # (2, B, H, T, hd)
      if turn:
        qk = self.rotate(qk, cos, sin)
      q = torch.select(qk, 0, 0)  # (B, H, T, hd)
      k = torch.select(qk, 0, 1)
      v = torch.select(qkv, 0, 2)
    a = self.attend(q, k, v)  # (B, H, T, hd)
    return torch.reshape(torch.transpose(a, 1, 2), [b, t, d])  # (B, T, D); the kernel's output is laid out (B, T, H, hd): no copy
  def block(self: __torch__.Vit,
    x: Tensor,
    i: int,
    cos: Tensor,
    sin: Tensor,
    ws: List[Tensor]) -> Tensor:
    # pre-norm encoder block i: x (B, T, D) float32 -> (B, T, D) float32 (LayerScale is in proj and
    # fc2, prepare). cos, sin (L, Hh, T, hd/2): every block's rotation or one for all, or empty.
    o = self.block_start + self.block_stride * i
    c = cos
    s = sin
    n = torch.size(cos, 0)
    if n > 0:
      j = i
      if n == 1:
        j = 0
      c = torch.select(cos, 0, j)  # (Hh, T, hd/2)
      s = torch.select(sin, 0, j)
    a = self.attention(self.norm(x, ws[o + self.i_norm1_gamma], ws[o + self.i_norm1_beta]), ws, o + self.i_attn_qkv_weight, c, s)
    x = self.residual(a, ws, o + self.i_attn_proj_weight, x, i)  # x + proj(a)
    hid = self.layer(self.norm(x, ws[o + self.i_norm2_gamma], ws[o + self.i_norm2_beta]), ws, o + self.i_mlp_fc1_weight, True)  # (B, T, M)
    hid = self.drop(hid, self.dropout)
    return self.residual(hid, ws, o + self.i_mlp_fc2_weight, x, i)  # x + fc2(hid)
  def encode(self: __torch__.Vit,
    images: Tensor,
    pos: Tensor,
    cos: Tensor,
    sin: Tensor,
    ws: List[Tensor]) -> Tensor:
    # all blocks and, unless it follows pooling, the final norm: (B, T, D) float32
    x = self.drop(self.tokens(images, pos, ws), self.dropout)
    for i in range(self.depth):
      x = self.block(x, i, cos, sin, ws)
    if not self.fc_norm:
      x = self.norm(x, ws[self.i_norm_gamma], ws[self.i_norm_beta])
    return x
  def pool(self: __torch__.Vit,
    x: Tensor,
    ws: List[Tensor]) -> Tensor:
    # encoded tokens (B, T, D) -> (B, D) float32: the class token, or the mean of the patch tokens
    if self.avg_pool:
      prefix = torch.size(ws[self.i_cls_token], 0) + torch.size(ws[self.i_reg_token], 0)
      y = torch.mean(torch.slice(x, 1, prefix), [1])
    else:
      y = torch.select(x, 1, 0)
    if self.fc_norm:
      y = self.norm(y, ws[self.i_norm_gamma], ws[self.i_norm_beta])
    return y
  def head(self: __torch__.Vit,
    y: Tensor,
    ws: List[Tensor]) -> Tensor:
    # pooled (B, D) -> logits (B, K) float32
    return torch.to(self.layer(y, ws, self.i_head_weight, False), 6)
  def embed(self: __torch__.Vit,
    images: Tensor,
    pos: Tensor) -> Tensor:
    # inference: the tokens before the encoder (B, c + R + N, D)
    return self.tokens(images, pos, self.weights)
  def encoded(self: __torch__.Vit,
    images: Tensor,
    pos: Tensor,
    cos: Tensor,
    sin: Tensor) -> Tensor:
    # inference: the encoded tokens (B, c + R + N, D)
    return self.encode(images, pos, cos, sin, self.weights)
  def pooled(self: __torch__.Vit,
    images: Tensor,
    pos: Tensor,
    cos: Tensor,
    sin: Tensor) -> Tensor:
    # inference: the pooled embedding (B, D)
    return self.pool(self.encode(images, pos, cos, sin, self.weights), self.weights)
  def attention_maps(self: __torch__.Vit,
    images: Tensor,
    pos: Tensor,
    cos: Tensor,
    sin: Tensor) -> Tensor:
    # inference: every block's attention probabilities softmax(q k^T / sqrt(hd)), each computed
    # explicitly in float32 from the block's own q and k (after rotation), while the blocks run as
    # encode runs them -> (L, B, H, T, T) float32. For fp32 programs (the host refuses bf16).
    ws = self.weights
    x = self.tokens(images, pos, ws)
    maps = annotate(List[Tensor], [])
    for i in range(self.depth):
      o = self.block_start + self.block_stride * i
      c = cos
      s = sin
      n = torch.size(cos, 0)
      if n > 0:
        j = i
        if n == 1:
          j = 0
        c = torch.select(cos, 0, j)  # (Hh, T, hd/2)
        s = torch.select(sin, 0, j)
      h = self.norm(x, ws[o + self.i_norm1_gamma], ws[o + self.i_norm1_beta])  # (B, T, D)
      b = torch.size(h, 0)
      t = torch.size(h, 1)
      d = torch.size(h, 2)
      qkv = torch.to(self.layer(h, ws, o + self.i_attn_qkv_weight, False), 6)  # (B, T, 3D), the route load_weights kept
      qkv = torch.permute(torch.reshape(qkv, [b, t, 3, self.heads, torch.floordiv(d, self.heads)]), [2, 0, 3, 1, 4])  # (3, B, H, T, hd)
      qk = torch.slice(qkv, 0, 0, 2)  # (2, B, H, T, hd)
      if torch.numel(c) > 0:
        qk = self.rotate(qk, c, s)
      q = torch.select(qk, 0, 0)  # (B, H, T, hd)
      k = torch.select(qk, 0, 1)
      scores = torch.matmul(torch.mul(q, 1. / torch.sqrt(torch.size(q, 3))), torch.transpose(k, 2, 3))  # (B, H, T, T)
      maps.append(torch.softmax(scores, -1))
      x = self.block(x, i, cos, sin, ws)
    return torch.stack(maps, 0)  # (L, B, H, T, T)
  def forward(self: __torch__.Vit,
    images: Tensor,
    pos: Tensor,
    cos: Tensor,
    sin: Tensor) -> Tuple[Tensor, Tensor]:
    # inference: (logits (B, K), pooled (B, D)), both float32
    y = self.pooled(images, pos, cos, sin)
    return (self.head(y, self.weights), y)
  def outputs(self: __torch__.Vit,
    images: Tensor,
    pos: Tensor,
    cos: Tensor,
    sin: Tensor,
    what: int) -> List[Tensor]:
    # inference, one method's results as a list: what 0 forward's [logits (B, K), pooled (B, D)],
    # 1 [pooled (B, D)], 2 [encoded (B, c + R + N, D)] (CompiledVit.Output)
    if what == 0:
      logits, y = self.forward(images, pos, cos, sin)
      return [logits, y]
    if what == 1:
      return [self.pooled(images, pos, cos, sin)]
    return [self.encoded(images, pos, cos, sin)]
  def parts(self: __torch__.Vit,
    images: Tensor,
    pos: Tensor,
    cos: Tensor,
    sin: Tensor,
    what: int,
    parts: int) -> List[Tensor]:
    # inference: outputs(what) from `parts` consecutive row blocks of the batch (rows s B / parts to
    # (s + 1) B / parts; parts <= B): parts 1.. in inter-op tasks (fork), part 0 on the calling
    # thread, each result concatenated over the parts in their order. Each row's result is that of
    # its own block's pass: every operator of the network works row by row. The host decides how
    # many intra-op threads each part gets (CompiledVit, BatchParts).
    b = torch.size(images, 0)
    futs = annotate(List[Future[List[Tensor]]], [])
    for _0 in range(torch.__range_length(1, parts, 1)):
      s = torch.__derive_index(_0, 1, 1)
      lo = torch.floordiv(torch.mul(s, b), parts)
      hi = torch.floordiv(torch.mul(torch.add(s, 1), b), parts)
      _1 = torch.slice(images, 0, lo, hi)
      def __forked_function():
        return (self).outputs(_1, pos, cos, sin, what, )
      _2 = fork(__forked_function)
      _3 = torch.append(futs, _2)
    first = self.outputs(torch.slice(images, 0, 0, torch.floordiv(b, parts)), pos, cos, sin, what)
    results = annotate(List[List[Tensor]], [first])
    for f in futs:
      _4 = torch.append(results, torch.wait(f))
    out = annotate(List[Tensor], [])
    for i in range(len(first)):
      pieces = annotate(List[Tensor], [])
      for r in results:
        _5 = torch.append(pieces, r[i])
      _6 = torch.append(out, torch.cat(pieces))
    return out
  def step(self: __torch__.Vit,
    images: Tensor,
    target: Tensor,
    grid: List[Tensor],
    ws: List[Tensor]) -> Tuple[Tensor, Tensor]:
    # One training forward: (label-smoothed cross-entropy (), logits (B, K) float32).
    # target (B, K) smoothed one-hot rows; grid: the input grid's [pos, cos, sin, coords], coords
    # (2, N) RoPE-Mixed's patch coordinates, its rotation computed here from the learned
    # frequencies (gradients reach them), or empty.
    # Autograd records every op when the caller runs it in training mode; only differentiable ops.
    pos = grid[0]
    cos = grid[1]
    sin = grid[2]
    coords = grid[3]
    ws = self.prepare(ws)
    if torch.numel(coords) > 0:
      prefix = torch.size(ws[self.i_cls_token], 0) + torch.size(ws[self.i_reg_token], 0)
      cos, sin = self.mixed(coords, ws[self.i_rope_freqs], prefix)
    logits = self.head(self.pool(self.encode(images, pos, cos, sin, ws), ws), ws)
    loss = torch.neg(torch.mean(torch.sum(torch.mul(torch.log_softmax(logits, 1), target), [1])))
    return (loss, logits)
  def gradients(self: __torch__.Vit,
    images: Tensor,
    target: Tensor,
    grid: List[Tensor],
    ws: List[Tensor]) -> Tuple[Tensor, Tensor, List[Tensor]]:
    # step's loss and logits, and the gradient of the loss with respect to every ws, by libtorch's
    # autograd inside the program (zeros for a ws the loss does not use). ws need not require
    # gradients: the program differentiates with respect to detached leaves sharing their storage.
    ps = annotate(List[Tensor], [])
    for w in ws:
      _0 = torch.append(ps, torch.requires_grad_(torch.detach(w)))
    loss, logits = self.step(images, target, grid, ps)
    gs = torch.autograd.grad([loss], ps, None, None, False, True)
    out = annotate(List[Tensor], [])
    for i in range(torch.len(gs)):
      g = gs[i]
      if torch.__is__(g, None):
        _1 = torch.append(out, torch.zeros_like(ws[i]))
      else:
        _2 = torch.append(out, unchecked_cast(Tensor, g))
    return (loss, logits, out)
  def shard_gradients(self: __torch__.Vit,
    images: Tensor,
    target: Tensor,
    grid: List[Tensor],
    ws: List[Tensor],
    shards: int) -> Tuple[Tensor, Tensor, List[Tensor]]:
    # gradients' loss, logits and gradients of the whole batch, from `shards` consecutive parts of
    # it (rows s B / shards to (s + 1) B / shards): parts 1.. in inter-op tasks (fork), part 0 on the
    # calling thread, then summed in the order of the parts, each weighted by its share of the
    # batch, so that the result is the gradient of the batch's mean loss and the same on every run.
    # Each task's operators run on its own thread (the caller sets one intra-op thread): on a few
    # cores, a small model's operators are too short to share among threads, whole parts are not.
    # The parts draw no random numbers (the caller shards only models without dropout or
    # stochastic depth), so no task depends on another's use of the generator.
    b = torch.size(images, 0)
    futs = annotate(List[Future[Tuple[Tensor, Tensor, List[Tensor]]]], [])
    for _0 in range(torch.__range_length(1, shards, 1)):
      s = torch.__derive_index(_0, 1, 1)
      lo = torch.floordiv(torch.mul(s, b), shards)
      hi = torch.floordiv(torch.mul(torch.add(s, 1), b), shards)
      _1 = torch.slice(images, 0, lo, hi)
      _2 = torch.slice(target, 0, lo, hi)
      def __forked_function():
        return (self).gradients(_1, _2, grid, ws, )
      _3 = fork(__forked_function)
      _4 = torch.append(futs, _3)
    hi0 = torch.floordiv(b, shards)
    _5 = (self).gradients(torch.slice(images, 0, 0, hi0), torch.slice(target, 0, 0, hi0), grid, ws, )
    loss, logits, gs, = _5
    loss0 = torch.mul(loss, torch.div(hi0, b))
    gs0 = torch._foreach_mul(gs, torch.div(hi0, b))
    parts = [logits]
    loss1 = loss0
    gs1 = gs0
    for _6 in range(torch.__range_length(1, shards, 1)):
      s0 = torch.__derive_index(_6, 1, 1)
      lo0 = torch.floordiv(torch.mul(s0, b), shards)
      hi1 = torch.floordiv(torch.mul(torch.add(s0, 1), b), shards)
      _7 = torch.wait(futs[torch.sub(s0, 1)])
      l, lg, g, = _7
      w = torch.div(torch.sub(hi1, lo0), b)
      loss2 = torch.add(loss1, torch.mul(l, w))
      gs2 = torch._foreach_add(gs1, g, alpha=w)
      _8 = torch.append(parts, lg)
      loss1, gs1 = loss2, gs2
    return (loss1, torch.cat(parts), gs1)
  def train_step(self: __torch__.Vit,
    images: Tensor,
    target: Tensor,
    grid: List[Tensor],
    ws: List[Tensor],
    ps: List[Tensor],
    ms: List[Tensor],
    vs: List[Tensor],
    dw: List[Tensor],
    index: Tensor,
    hyper: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    # One optimizer step: gradients, global-norm clipping and AdamW, the parameters and moments
    # updated in place; returns (loss (), predicted classes (B) int64, gradient norm ()).
    # ps: the parameters to update (the ws at the positions index (P) int64 holds), ms, vs their
    # AdamW moments, dw those of ps with weight decay; all storage shared with the caller's arrays.
    # hyper float64: [lr, clip (max global norm, 0: none), beta1, beta2, eps, 1 - beta1^t,
    # 1 - beta2^t, weight decay, shards (1: the whole batch at once, else shard_gradients)].
    # A non-finite loss or gradient norm changes nothing.
    # Only the argument lists are updated in place: TorchScript's alias analysis does not follow
    # a mutation through a list built here, and would drop it as dead code.
    hs = annotate(List[float], hyper.tolist())
    shards = int(hs[8])
    if shards > 1:
      loss, logits, gs = self.shard_gradients(images, target, grid, ws, shards)
    else:
      loss, logits, gs = self.gradients(images, target, grid, ws)
    pred = torch.argmax(logits, 1)
    ix = annotate(List[int], index.tolist())
    lr = hs[0]
    clip = hs[1]
    beta1 = hs[2]
    beta2 = hs[3]
    eps = hs[4]
    bc1 = hs[5]
    bc2 = hs[6]
    wd = hs[7]
    g = annotate(List[Tensor], [])
    for i in ix:
      _0 = torch.append(g, gs[i])
    norm = torch.linalg_vector_norm(torch.stack(torch._foreach_norm(g)))
    if not bool(torch.isfinite(loss)) or not bool(torch.isfinite(norm)):
      return (loss, pred, norm)
    if clip > 0. and float(norm) > clip:
      g = torch._foreach_mul(g, clip / float(norm))
    # m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2
    torch._foreach_mul_(ms, beta1)
    torch._foreach_add_(ms, g, alpha=1. - beta1)
    torch._foreach_mul_(vs, beta2)
    torch._foreach_addcmul_(vs, g, g, 1. - beta2)
    # w = w (1 - lr decay) - lr (m / bc1) / (sqrt(v / bc2) + eps)
    den = torch._foreach_add(torch._foreach_sqrt(torch._foreach_div(vs, bc2)), eps)
    if wd > 0.:
      torch._foreach_mul_(dw, 1. - lr * wd)
    torch._foreach_addcdiv_(ps, ms, den, -lr / bc1)
    return (loss, pred, norm)
