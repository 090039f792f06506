class VitTrain(Module):
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
  def step(self: __torch__.VitTrain,
    images: Tensor,
    target: Tensor,
    pos: Tensor,
    rot_a: Tensor,
    rot_b: Tensor,
    ws: List[Tensor]) -> Tuple[Tensor, Tensor]:
    # One training forward: (label-smoothed cross-entropy (), logits (B, K) float32).
    # images (B, C, H, W); target (B, K) smoothed one-hot rows; pos (c + N, D) fixed absolute table
    # or (0, D) (a learned table is ws[4]); rot_a, rot_b: rope 1: cos, sin (N, hd); rope 2: the
    # patches' coordinates t_x, t_y (N); else empty.
    # ws: the parameters, in this order (absent ones are empty tensors):
    #   0 patch w (D, C*P*P), 1 patch b (D), 2 cls (c, D), 3 reg (R, D), 4 learned table (c + N, D),
    #   5 rope freqs (2, depth, H, hd/2), then depth x 14 block tensors (norm1 g/b, qkv w/b, proj w/b,
    #   norm2 g/b, fc1 w/b, fc2 w/b, ls1 (D), ls2 (D)), then norm g/b, head w/b.
    # Autograd records every op when the caller runs it in training mode; only differentiable ops.
    n = len(ws)
    x = self.embed(images, pos, ws)
    x = self.drop(x, self.dropout)
    prefix = torch.size(ws[2], 0) + torch.size(ws[3], 0)
    for i in range(self.depth):
      x = self.block(x, i, prefix, rot_a, rot_b, ws)
    if not self.fc_norm:
      x = self.norm(x, ws[n - 4], ws[n - 3])
    if self.avg_pool:
      y = torch.mean(torch.slice(x, 1, prefix), [1])  # (B, D)
    else:
      y = torch.select(x, 1, 0)  # (B, D)
    if self.fc_norm:
      y = self.norm(y, ws[n - 4], ws[n - 3])
    logits = torch.to(self.lin(y, ws[n - 2], ws[n - 1]), 6)  # (B, K) float32
    loss = torch.neg(torch.mean(torch.sum(torch.mul(torch.log_softmax(logits, 1), target), [1])))
    return (loss, logits)
  def gradients(self: __torch__.VitTrain,
    images: Tensor,
    target: Tensor,
    pos: Tensor,
    rot_a: Tensor,
    rot_b: Tensor,
    ws: List[Tensor]) -> Tuple[Tensor, Tensor, List[Tensor]]:
    # step's loss and logits, and the gradient of the loss with respect to every ws, by libtorch's
    # autograd inside the program (zeros for a ws the loss does not use). ws need not require
    # gradients: the program differentiates with respect to detached leaves sharing their storage.
    ps = annotate(List[Tensor], [])
    for w in ws:
      _0 = torch.append(ps, torch.requires_grad_(torch.detach(w)))
    loss, logits = self.step(images, target, pos, rot_a, rot_b, ps)
    gs = torch.autograd.grad([loss], ps, None, None, False, True)
    out = annotate(List[Tensor], [])
    for i in range(torch.len(gs)):
      g = gs[i]
      if torch.__is__(g, None):
        _1 = torch.append(out, torch.zeros_like(ws[i]))
      else:
        _2 = torch.append(out, unchecked_cast(Tensor, g))
    return (loss, logits, out)
  def shard_gradients(self: __torch__.VitTrain,
    images: Tensor,
    target: Tensor,
    pos: Tensor,
    rot_a: Tensor,
    rot_b: Tensor,
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
        return (self).gradients(_1, _2, pos, rot_a, rot_b, ws, )
      _3 = fork(__forked_function)
      _4 = torch.append(futs, _3)
    hi0 = torch.floordiv(b, shards)
    _5 = (self).gradients(torch.slice(images, 0, 0, hi0), torch.slice(target, 0, 0, hi0), pos, rot_a, rot_b, ws, )
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
  def train_step(self: __torch__.VitTrain,
    images: Tensor,
    target: Tensor,
    pos: Tensor,
    rot_a: Tensor,
    rot_b: Tensor,
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
      loss, logits, gs = self.shard_gradients(images, target, pos, rot_a, rot_b, ws, shards)
    else:
      loss, logits, gs = self.gradients(images, target, pos, rot_a, rot_b, ws)
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
  def lin(self: __torch__.VitTrain,
    x: Tensor,
    w: Tensor,
    b: Tensor) -> Tensor:
    # (..., in) -> (..., out); bf16: inputs, weight and bias cast to bfloat16 as under
    # torch.autocast (the casts are differentiable: gradients reach the float32 weights as float32)
    if self.bf16:
      return torch.linear(torch.to(x, 15), torch.to(w, 15), torch.to(b, 15))
    return torch.linear(x, w, b)
  def heads_view(self: __torch__.VitTrain,
    x: Tensor,
    h: int) -> Tensor:
    # (B, T, D) -> (B, H, T, hd), a view
    s = torch.size(x)
    return torch.transpose(torch.reshape(x, [s[0], s[1], h, torch.floordiv(s[2], h)]), 1, 2)
  def norm(self: __torch__.VitTrain,
    x: Tensor,
    g: Tensor,
    b: Tensor) -> Tensor:
    # LayerNorm over the last axis, always in float32
    return torch.layer_norm(torch.to(x, 6), [torch.size(x, -1)], g, b, self.eps)
  def drop(self: __torch__.VitTrain,
    x: Tensor,
    p: float) -> Tensor:
    # dropout from libtorch's default generator (the caller seeds it before every step)
    if p > 0.:
      return torch.dropout(x, p, True)
    return x
  def drop_branch(self: __torch__.VitTrain,
    x: Tensor,
    i: int) -> Tensor:
    # stochastic depth of block i: rate drop_path * i / (depth - 1); whole branches per sample,
    # kept ones scaled by 1 / keep
    if self.drop_path <= 0. or self.depth == 1:
      return x
    keep = 1. - self.drop_path * i / (self.depth - 1)
    if keep >= 1.:
      return x
    b = torch.size(x, 0)
    u = torch.rand([b, 1, 1], dtype=6, layout=None, device=ops.prim.device(x), pin_memory=None)  # (B, 1, 1)
    mask = torch.div(torch.to(torch.lt(u, keep), 6), keep)
    return torch.mul(x, mask)
  def embed(self: __torch__.VitTrain,
    images: Tensor,
    pos: Tensor,
    ws: List[Tensor]) -> Tensor:
    # images (B, C, H, W) -> tokens (B, c + R + N, D) float32: patches, class token, position
    # table, then registers (which get no position)
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
    table = pos
    if torch.size(ws[4], 0) > 0:
      table = ws[4]
    if torch.size(table, 0) > 0:
      x = torch.add(x, table)  # (B, c + N, D)
    nreg = torch.size(reg, 0)
    if nreg > 0:
      k = torch.size(cls, 0)
      regs = torch.expand(torch.unsqueeze(reg, 0), [b, nreg, d])  # (B, R, D)
      x = torch.cat([torch.slice(x, 1, 0, k), regs, torch.slice(x, 1, k)], 1)  # (B, c + R + N, D)
    return x
  def rotate(self: __torch__.VitTrain,
    x: Tensor,
    cos: Tensor,
    sin: Tensor,
    prefix: int) -> Tensor:
    # x (B, H, T, hd): the patch tokens' x cos + rot(x) sin, prefix tokens unrotated
    # (timm apply_rot_embed_cat); cos, sin (N, hd) or (H, N, hd) in the model's layout. x has its
    # rotation pairs adjacent (2p, 2p+1) in either layout (attention makes the half layout's so,
    # pairs_adjacent): each pair x0 + i x1 times cos + i sin, one float32 kernel forward and one
    # back, where slicing the pairs apart and back is a dozen copies
    patches = torch.slice(x, 2, prefix)  # (B, H, N, hd)
    hd = torch.size(x, 3)
    if self.rope_half:
      # angles tiled (a | a): one per pair in the first half
      turn = torch.complex(torch.slice(cos, -1, 0, torch.floordiv(hd, 2)), torch.slice(sin, -1, 0, torch.floordiv(hd, 2)))
    else:
      # angles repeated (a0, a0, a1, a1, ..): one per pair at the even places
      turn = torch.complex(torch.slice(cos, -1, 0, None, 2), torch.slice(sin, -1, 0, None, 2))  # (N, hd/2) or (H, N, hd/2)
    s = torch.size(patches)
    pairs = torch.reshape(torch.to(patches, 6), [s[0], s[1], s[2], torch.floordiv(hd, 2), 2])  # (B, H, N, hd/2, 2)
    rotated = torch.reshape(torch.view_as_real(torch.mul(torch.view_as_complex(pairs), turn)), s)
    if prefix == 0:
      return rotated
    return torch.cat([torch.slice(x, 2, 0, prefix), rotated], 2)  # (B, H, T, hd)
  def mixed(self: __torch__.VitTrain,
    i: int,
    tx: Tensor,
    ty: Tensor,
    ws: List[Tensor]) -> Tuple[Tensor, Tensor]:
    # RoPE-Mixed rotation of block i from the learned frequencies (timm get_mixed_freqs):
    # angles t_x f_x + t_y f_y (H, N, hd/2), expanded to cos, sin (H, N, hd) in the pair layout
    f = ws[5]  # (2, depth, H, hd/2)
    fx = torch.unsqueeze(torch.select(torch.select(f, 0, 0), 0, i), 1)  # (H, 1, hd/2)
    fy = torch.unsqueeze(torch.select(torch.select(f, 0, 1), 0, i), 1)
    n = torch.size(tx, 0)
    angles = torch.add(torch.mul(torch.reshape(tx, [1, n, 1]), fx), torch.mul(torch.reshape(ty, [1, n, 1]), fy))
    if self.rope_half:
      full = torch.cat([angles, angles], 2)  # (H, N, hd): tile(2)
    else:
      s = torch.size(angles)
      full = torch.reshape(torch.stack([angles, angles], 3), [s[0], s[1], 2 * s[2]])  # repeat_interleave(2)
    return (torch.cos(full), torch.sin(full))
  def attention(self: __torch__.VitTrain,
    x: Tensor,
    i: int,
    prefix: int,
    rot_a: Tensor,
    rot_b: Tensor,
    ws: List[Tensor]) -> Tensor:
    # x (B, T, D) normalized tokens of block i -> (B, T, D)
    o = 6 + 14 * i
    b = torch.size(x, 0)
    t = torch.size(x, 1)
    d = torch.size(x, 2)
    h = self.heads
    w = ws[o + 2]  # (3D, D)
    bias = ws[o + 3]  # (3D)
    # q, k and v by three products on row blocks of the qkv weight, not one product split
    # afterwards: each output is its own (B, T, D) tensor, so its (B, H, T, hd) view goes to the
    # attention kernel without a copy, and the kernel's gradients come back in that same layout
    # (a split of one (B, T, 3D) output would be copied into (3, B, H, T, hd) and its gradient
    # stacked back: the largest copies of the step)
    if self.bf16:
      x = torch.to(x, 15)  # cast once for the three products (lin's casts of x are then no-ops)
    wq = torch.slice(w, 0, 0, d)
    bq = torch.slice(bias, 0, 0, d)
    wk = torch.slice(w, 0, d, 2 * d)
    key_bias = torch.slice(bias, 0, d, 2 * d)
    if not self.key_bias:
      # timm Eva: the key third of the qkv bias is not used (and gets a zero gradient)
      key_bias = torch.zeros_like(key_bias)
    if self.rope > 0 and self.rope_half:
      wq = self.pairs_adjacent(wq, h)
      bq = self.pairs_adjacent(bq, h)
      wk = self.pairs_adjacent(wk, h)
      key_bias = self.pairs_adjacent(key_bias, h)
    q = self.heads_view(self.lin(x, wq, bq), h)
    k = self.heads_view(self.lin(x, wk, key_bias), h)
    v = self.heads_view(self.lin(x, torch.slice(w, 0, 2 * d), torch.slice(bias, 0, 2 * d)), h)  # (B, H, T, hd)
    if self.rope == 1:
      q = torch.to(self.rotate(q, rot_a, rot_b, prefix), ops.prim.dtype(v))
      k = torch.to(self.rotate(k, rot_a, rot_b, prefix), ops.prim.dtype(v))
    elif self.rope == 2:
      cos, sin = self.mixed(i, rot_a, rot_b, ws)
      q = torch.to(self.rotate(q, cos, sin, prefix), ops.prim.dtype(v))
      k = torch.to(self.rotate(k, cos, sin, prefix), ops.prim.dtype(v))
    a = self.attend(q, k, v)  # (B, H, T, hd)
    a = torch.reshape(torch.transpose(a, 1, 2), [b, t, d])  # (B, T, D); the kernel's output is laid out (B, T, H, hd): no copy
    return self.drop(self.lin(a, ws[o + 4], ws[o + 5]), self.dropout)
  def pairs_adjacent(self: __torch__.VitTrain,
    t: Tensor,
    h: int) -> Tensor:
    # t (D, in) query or key rows of the qkv weight, or (D) their bias, in the half rotation layout
    # (pairs p, p + hd/2 in each head) -> the same rows with every pair adjacent (2p, 2p+1). q and k
    # permuted alike keep every q.k, so attention is unchanged; the gradient flows back through
    # the permutation to the weights in their own layout. A (D, in) copy per block, where rotating
    # the halves of the (B, H, N, hd) activations took several
    hd = torch.floordiv(torch.size(t, 0), h)
    halves = torch.reshape(t, [h, 2, torch.floordiv(hd, 2), -1])  # (H, 2, hd/2, in)
    return torch.reshape(torch.transpose(halves, 1, 2), torch.size(t))
  def attend(self: __torch__.VitTrain,
    q: Tensor,
    k: Tensor,
    v: Tensor) -> Tensor:
    # softmax(q k^T / sqrt(hd)) v: (B, H, T, hd)
    if self.bf16:
      # bfloat16: two products (oneDNN) and the softmax between them on bfloat16 scores, which
      # the softmax kernel reads into float32 and writes back rounded, as autocast's float32
      # softmax followed by the cast for the second product; q scaled first, as timm's Attention
      # does (exact when hd is a power of 4: 1/4 for hd 16, 1/8 for hd 64)
      hd = torch.size(q, 3)
      s = torch.matmul(torch.mul(q, 1. / torch.sqrt(hd)), torch.transpose(k, 2, 3))  # (B, H, T, T)
      return torch.matmul(torch.softmax(s, -1), v)
    return torch.scaled_dot_product_attention(q, k, v)
  def scale(self: __torch__.VitTrain,
    x: Tensor,
    gamma: Tensor) -> Tensor:
    # LayerScale: a per-channel factor (D), or nothing when gamma is empty
    if torch.numel(gamma) > 0:
      return torch.mul(x, gamma)
    return x
  def block(self: __torch__.VitTrain,
    x: Tensor,
    i: int,
    prefix: int,
    rot_a: Tensor,
    rot_b: Tensor,
    ws: List[Tensor]) -> Tensor:
    # pre-norm encoder block i: x (B, T, D) float32 -> (B, T, D) float32
    o = 6 + 14 * i
    h = self.attention(self.norm(x, ws[o], ws[o + 1]), i, prefix, rot_a, rot_b, ws)
    x = torch.add(x, self.drop_branch(self.scale(h, ws[o + 12]), i))
    hid = torch.gelu(self.lin(self.norm(x, ws[o + 6], ws[o + 7]), ws[o + 8], ws[o + 9]))  # (B, T, M)
    hid = self.drop(hid, self.dropout)
    h = self.drop(self.lin(hid, ws[o + 10], ws[o + 11]), self.dropout)
    return torch.add(x, self.drop_branch(self.scale(h, ws[o + 13]), i))
