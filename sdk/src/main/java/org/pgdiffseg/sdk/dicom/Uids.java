package org.pgdiffseg.sdk.dicom;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * New DICOM UIDs under the root "2.25" (PS3.5 §B.2): the 128 bits of a random (version 4) UUID written as one
 * unsigned decimal number, at most 44 characters. No registered root is needed, and two UIDs made anywhere are
 * equal only with the odds of a UUID collision.
 */
public final class Uids {
  private Uids() {}

  /** A new, random UID. */
  public static String random() {
    return fromUuid(UUID.randomUUID());
  }

  /** The "2.25" UID of {@code uuid}. */
  public static String fromUuid(UUID uuid) {
    byte[] bits = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
        .putLong(uuid.getLeastSignificantBits()).array();
    return "2.25." + new BigInteger(1, bits);
  }
}
