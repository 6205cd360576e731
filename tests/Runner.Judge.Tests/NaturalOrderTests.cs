namespace Runner.Judge.Tests;

public class NaturalOrderTests
{
    [Fact]
    public void Numbers_inside_names_sort_by_value()
    {
        string[] names = ["test10", "test2", "a", "test1", "test02", "b1", "test"];
        Assert.Equal(["a", "b1", "test", "test1", "test2", "test02", "test10"], names.Order(NaturalOrder.Instance));
    }
}
