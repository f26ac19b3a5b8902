/** Overlap of a predicted mask with a reference: Dice, IoU, HD95, sensitivity and specificity. */
package org.pgdiffseg.sdk.metrics;
