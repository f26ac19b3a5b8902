/**
 * The samplers, with the semantics of Hugging Face diffusers 0.42: DDPM, DDIM, DPM-Solver (multistep, ++ and
 * SDE variants) and UniPC; the training noise schedule; diffusers' scheduler_config.json read and written.
 */
package org.pgdiffseg.sdk.schedule;
