/**
 * Noise sources for the sampling loop: {@link org.pgdiffseg.sdk.noise.TorchCompatibleNoise} reproduces
 * PyTorch's CPU {@code torch.randn} stream for a seed; {@link org.pgdiffseg.sdk.noise.GaussianNoise} is a
 * faster stream of this library's own.
 */
package org.pgdiffseg.sdk.noise;
