package org.pgdiffseg.sdk.noise;

/**
 * Which of PyTorch's CPU kernels for {@code torch.randn} (float32, 16 or more elements) to reproduce. They
 * consume the same random bits and differ only in the float math of the Box-Muller transform, by up to
 * about 2e-6; calls with fewer than 16 elements are the same in both.
 */
public enum TorchCpuKernel {
  /**
   * The AVX2 build that x86-64 PyTorch selects on CPUs with AVX2 ({@code
   * torch.backends.cpu.get_cpu_capability() == "AVX2"}): Cephes polynomials in float with fused
   * multiply-adds. Reproduced bit for bit.
   */
  AVX2,
  /**
   * The portable build ({@code ATEN_CPU_CAPABILITY=default}, and any build whose capability is not AVX2,
   * such as AVX512 or ARM): C library {@code logf}, {@code cosf}, {@code sinf}. Reproduced with
   * correctly rounded float math, which agrees with glibc's to within one unit in the last place.
   */
  PORTABLE
}
