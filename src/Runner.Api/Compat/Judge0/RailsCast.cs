using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Runner.Api.Compat.Judge0;

/// <summary>
/// Reads JSON values the way Rails casts request parameters into model attributes: numbers may
/// come as strings ("4"), booleans as "true"/"1"/"0", and a value that does not cast is absent.
/// </summary>
public static class RailsCast
{
    public static bool Present(JsonObject body, string name) => body.TryGetPropertyValue(name, out var v) && v is not null;

    public static double? Float(JsonObject body, string name) => Number(body[name]);

    public static long? Integer(JsonObject body, string name) => Number(body[name]) is { } d ? (long)Math.Truncate(d) : null;

    private static double? Number(JsonNode? node)
    {
        if (node is not JsonValue v) return null;
        switch (v.GetValueKind())
        {
            case JsonValueKind.Number:
                return v.GetValue<double>();
            case JsonValueKind.String:
                var s = v.GetValue<string>().Trim();
                return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null;
            case JsonValueKind.True:
                return 1;
            case JsonValueKind.False:
                return 0;
            default:
                return null;
        }
    }

    /// <summary>ActiveModel's boolean: false, 0, "0", "f", "false", "off" (any case) are false; "" is absent; anything else true.</summary>
    public static bool? Boolean(JsonObject body, string name)
    {
        if (body[name] is not JsonValue v) return null;
        return v.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => v.GetValue<double>() != 0,
            JsonValueKind.String => v.GetValue<string>() is var s && s.Length == 0 ? null
                : !(s is "0" || s.Equals("f", StringComparison.OrdinalIgnoreCase) || s.Equals("false", StringComparison.OrdinalIgnoreCase)
                    || s.Equals("off", StringComparison.OrdinalIgnoreCase)),
            _ => null,
        };
    }

    public static string? Text(JsonObject body, string name)
    {
        if (body[name] is not JsonValue v) return null;
        return v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.Number => v.ToJsonString(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
    }

    /// <summary>How Rails prints a limit in a validation message: floats keep ".0" (15.0), integers do not.</summary>
    public static string Show(double value, bool isFloat) => isFloat
        ? (value == Math.Floor(value) ? value.ToString("0.0", CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture))
        : value.ToString(CultureInfo.InvariantCulture);
}
