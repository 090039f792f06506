class Probe(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : NoneType
  small : int
  large : int
  eps : float
  flag : bool
  weights : List[Tensor]
  def forward(self: __torch__.Probe,
    x: Tensor) -> Tensor:
    small = self.small
    return torch.mul(x, small)
