/**
 * The classification gate: from the prior graph's class logits, whether to skip diffusion for an image the
 * prior says has no tumor.
 */
package org.pgdiffseg.sdk.gating;
