func.func @perm_digitrev_product() {
  %0 = linop.perm digitrev [2, 3] : !linop.op<12x12, f32>
  return
}
