// binary-trees (the Computer Language Benchmarks Game) in Kotlin, for
// wasm GC: depth 16, printing the benchmark's usual lines.
class Node(val left: Node?, val right: Node?) {
    fun check(): Int = 1 + (left?.check() ?: 0) + (right?.check() ?: 0)
}

fun make(depth: Int): Node =
    if (depth == 0) Node(null, null) else Node(make(depth - 1), make(depth - 1))

fun main() {
    val n = 16
    val stretch = n + 1
    println("stretch tree of depth $stretch\t check: ${make(stretch).check()}")
    val longLived = make(n)
    var d = 4
    while (d <= n) {
        val iterations = 1 shl (n - d + 4)
        var check = 0
        for (i in 1..iterations) check += make(d).check()
        println("$iterations\t trees of depth $d\t check: $check")
        d += 2
    }
    println("long lived tree of depth $n\t check: ${longLived.check()}")
}
