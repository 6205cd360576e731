import java.util.*;

public class Main {
    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        String cmd = in.next();
        switch (cmd) {
            case "sum" -> System.out.println(in.nextLong() + in.nextLong());
            case "spin" -> { long x = 0; while (true) x++; }
            case "alloc" -> { List<long[]> keep = new ArrayList<>(); while (true) keep.add(new long[1 << 17]); }
            case "div" -> { int z = 0; System.out.println(1 / z); }
            case "throw" -> throw new IllegalStateException("boom");
            case "exit3" -> System.exit(3);
            case "flood" -> { while (true) System.out.println("yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"); }
            default -> System.exit(11);
        }
    }
}
