interface Shape { fun area(): Double; val name: String }
data class Circle(val r: Double) : Shape { override fun area() = 3.14159 * r * r; override val name get() = "circle" }
data class Rect(val w: Double, val h: Double) : Shape { override fun area() = w * h; override val name get() = "rect" }

sealed class Tree { object Leaf : Tree(); class Node(val l: Tree, val v: Int, val r: Tree) : Tree() }
fun insert(t: Tree, x: Int): Tree = when (t) {
    is Tree.Leaf -> Tree.Node(Tree.Leaf, x, Tree.Leaf)
    is Tree.Node -> if (x < t.v) Tree.Node(insert(t.l, x), t.v, t.r) else Tree.Node(t.l, t.v, insert(t.r, x))
}
fun toList(t: Tree, out: MutableList<Int>) { if (t is Tree.Node) { toList(t.l, out); out.add(t.v); toList(t.r, out) } }

fun fib(n: Int): Long = if (n < 2) n.toLong() else fib(n - 1) + fib(n - 2)

fun main() {
    println("Hello from Kotlin/Wasm WASI")
    val shapes: List<Shape> = listOf(Circle(1.0), Rect(2.0, 3.0), Circle(2.5))
    for (s in shapes) println("${s.name} area=${s.area()}")
    println("total=" + shapes.sumOf { it.area() })
    var t: Tree = Tree.Leaf
    for (x in listOf(5, 3, 8, 1, 4, 7, 9, 2, 6)) t = insert(t, x)
    val out = mutableListOf<Int>(); toList(t, out); println("sorted=$out")
    val m = HashMap<String, Int>()
    for (w in "the quick brown fox jumps over the lazy dog the end".split(" ")) m[w] = (m[w] ?: 0) + 1
    println("counts=" + m.entries.sortedBy { it.key }.joinToString(",") { "${it.key}:${it.value}" })
    val sb = StringBuilder(); for (i in 1..10) sb.append(i * i).append(' '); println("squares=$sb")
    try { val a = IntArray(3); a[5] = 1 } catch (e: IndexOutOfBoundsException) { println("caught ${e::class.simpleName}") }
    try { throw IllegalStateException("boom") } catch (e: Exception) { println("caught msg=${e.message}") }
    println("fib(25)=${fib(25)}")
    println(Circle(1.0) == Circle(1.0))
    println(Rect(1.0, 2.0).toString())
    val seq = generateSequence(1) { it * 2 }.take(10).toList(); println("pow2=$seq")
    var garbage = 0L; repeat(200000) { val l = List(10) { j -> j + it }; garbage += l.last() }; println("garbage=$garbage")
}
