package org.pgdiffseg.sdk.noise;

/**
 * Single-precision natural logarithm and sine/cosine with the Cephes polynomials, evaluated operation by
 * operation as PyTorch's AVX2 Box-Muller kernel evaluates them (its {@code avx_mathfun.h}: Pommier's
 * vectorised Cephes {@code logf}/{@code sincosf}). The x86-64 build contracts each multiply feeding an add
 * into one fused multiply-add, so the same contractions are made here with {@link Math#fma}; this is what
 * makes the results bit-identical rather than merely close. Stateless and thread-safe.
 */
final class CephesFloatMath {
  private static final float SQRT_HALF = 0.707106781186547524f;
  private static final float LOG_P0 = 7.0376836292E-2f;
  private static final float LOG_P1 = -1.1514610310E-1f;
  private static final float LOG_P2 = 1.1676998740E-1f;
  private static final float LOG_P3 = -1.2420140846E-1f;
  private static final float LOG_P4 = 1.4249322787E-1f;
  private static final float LOG_P5 = -1.6668057665E-1f;
  private static final float LOG_P6 = 2.0000714765E-1f;
  private static final float LOG_P7 = -2.4999993993E-1f;
  private static final float LOG_P8 = 3.3333331174E-1f;
  // ln 2 split in two so that exponent * LN2_HI is exact.
  private static final float LN2_LO = -2.12194440e-4f;
  private static final float LN2_HI = 0.693359375f;

  private static final float FOUR_OVER_PI = 1.27323954473516f;
  // -pi/4 split in three so that the reduction k * pi/4 loses no bits.
  private static final float MINUS_DP1 = -0.78515625f;
  private static final float MINUS_DP2 = -2.4187564849853515625e-4f;
  private static final float MINUS_DP3 = -3.77489497744594108e-8f;
  private static final float SIN_P0 = -1.9515295891E-4f;
  private static final float SIN_P1 = 8.3321608736E-3f;
  private static final float SIN_P2 = -1.6666654611E-1f;
  private static final float COS_P0 = 2.443315711809948E-005f;
  private static final float COS_P1 = -1.388731625493765E-003f;
  private static final float COS_P2 = 4.166664568298827E-002f;

  private static final int SIGN_BIT = 0x80000000;
  private static final int EXPONENT_BITS = 0x7f800000;

  private CephesFloatMath() {}

  /** Natural logarithm; NaN for {@code x <= 0}. */
  static float log(float x) {
    if (!(x > 0f)) {
      return Float.NaN;
    }
    x = Math.max(x, Float.MIN_NORMAL);
    int bits = Float.floatToRawIntBits(x);
    float e = (float) ((bits >>> 23) - 0x7f) + 1f;
    // Mantissa scaled to [0.5, 1).
    x = Float.intBitsToFloat((bits & ~EXPONENT_BITS) | Float.floatToRawIntBits(0.5f));
    boolean belowSqrtHalf = x < SQRT_HALF;
    float extra = belowSqrtHalf ? x : 0f;
    x = x - 1f;
    e = e - (belowSqrtHalf ? 1f : 0f);
    x = x + extra;
    float z = x * x;
    float y = LOG_P0;
    y = Math.fma(y, x, LOG_P1);
    y = Math.fma(y, x, LOG_P2);
    y = Math.fma(y, x, LOG_P3);
    y = Math.fma(y, x, LOG_P4);
    y = Math.fma(y, x, LOG_P5);
    y = Math.fma(y, x, LOG_P6);
    y = Math.fma(y, x, LOG_P7);
    y = Math.fma(y, x, LOG_P8);
    y = y * x;
    y = Math.fma(y, z, e * LN2_LO);
    y = y - z * 0.5f;
    x = x + y;
    return Math.fma(e, LN2_HI, x);
  }

  /**
   * Sine and cosine of {@code x}, accurate for |x| below 8192 (the Box-Muller angle is in [0, 2 pi)).
   * Results go to {@code out[at]} (sine) and {@code out[at + 1]} (cosine) so no object is allocated.
   */
  static void sinCos(float x, float[] out, int at) {
    int sinSign = Float.floatToRawIntBits(x) & SIGN_BIT;
    x = Math.abs(x);
    // Octant j, rounded up to even, picks the polynomial and the signs.
    int j = (int) (x * FOUR_OVER_PI);
    j = (j + 1) & ~1;
    float y = (float) j;
    sinSign ^= (j & 4) << 29;
    int cosSign = (~(j - 2) & 4) << 29;
    boolean sinUsesSinPoly = (j & 2) == 0;

    x = Math.fma(y, MINUS_DP1, x);
    x = Math.fma(y, MINUS_DP2, x);
    x = Math.fma(y, MINUS_DP3, x);

    float z = x * x;
    float cosPoly = COS_P0;
    cosPoly = Math.fma(cosPoly, z, COS_P1);
    cosPoly = Math.fma(cosPoly, z, COS_P2);
    cosPoly = cosPoly * z;
    cosPoly = Math.fma(cosPoly, z, -(z * 0.5f));
    cosPoly = cosPoly + 1f;

    float sinPoly = SIN_P0;
    sinPoly = Math.fma(sinPoly, z, SIN_P1);
    sinPoly = Math.fma(sinPoly, z, SIN_P2);
    sinPoly = sinPoly * z;
    sinPoly = Math.fma(sinPoly, x, x);

    // Lane select as the vector code does it (masked values are +0 and are added, not chosen).
    float sinFromSin = sinUsesSinPoly ? sinPoly : 0f;
    float sinFromCos = sinUsesSinPoly ? 0f : cosPoly;
    float cosFromSin = sinPoly - sinFromSin;
    float cosFromCos = cosPoly - sinFromCos;
    float sin = sinFromCos + sinFromSin;
    float cos = cosFromCos + cosFromSin;
    out[at] = Float.intBitsToFloat(Float.floatToRawIntBits(sin) ^ sinSign);
    out[at + 1] = Float.intBitsToFloat(Float.floatToRawIntBits(cos) ^ cosSign);
  }
}
