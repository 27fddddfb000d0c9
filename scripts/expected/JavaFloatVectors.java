// Writes fixtures/expected/java-float-tostring.txt: Double.toString and
// Float.toString of pseudo-random values, as a JDK whose FloatingDecimal is
// the legacy one (JDK 17 or older; JDK 19+ changed the algorithm) prints
// them. These are the oracle for casscade's output::javafloat.
//
//   javac -d /tmp JavaFloatVectors.java && java -cp /tmp JavaFloatVectors > fixtures/expected/java-float-tostring.txt
public class JavaFloatVectors {
  public static void main(String[] a) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(20261127);
    StringBuilder sb = new StringBuilder("# java " + System.getProperty("java.version") + ": d <hex bits> <Double.toString> | f <hex bits> <Float.toString>\n");
    for (int i = 0; i < 4000; i++) {
      long bits = r.nextLong();
      double d;
      switch (i % 4) {
        case 0: d = Double.longBitsToDouble(bits); break;
        case 1: d = (bits >>> 12) / 1e6 * ((bits & 1) == 0 ? 1 : -1); break;
        case 2: d = (double) (bits % 100000000000L) / Math.pow(10, (int) ((bits >>> 60) & 15)); break;
        default: d = Float.intBitsToFloat((int) bits); break;
      }
      if (Double.isNaN(d) || Double.isInfinite(d)) continue;
      sb.append("d ").append(Long.toHexString(Double.doubleToRawLongBits(d))).append(' ').append(Double.toString(d)).append('\n');
    }
    for (int i = 0; i < 2000; i++) {
      int bits = r.nextInt();
      float f = (i % 2 == 0) ? Float.intBitsToFloat(bits) : (float) ((bits % 10000000) / Math.pow(10, (bits >>> 28) & 7));
      if (Float.isNaN(f) || Float.isInfinite(f)) continue;
      sb.append("f ").append(Integer.toHexString(Float.floatToRawIntBits(f))).append(' ').append(Float.toString(f)).append('\n');
    }
    System.out.print(sb);
  }
}
