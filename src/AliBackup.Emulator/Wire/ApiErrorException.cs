namespace AliBackup.Emulator.Wire;

/// <summary>An error answer in the services' shape: HTTP status plus a JSON body with Code, Message and RequestId.</summary>
public sealed class ApiErrorException(int httpStatus, string code, string message, string? retryAfter = null) : Exception(code + ": " + message)
{
    public int HttpStatus { get; } = httpStatus;

    public string Code { get; } = code;

    public string ServiceMessage { get; } = message;

    /// <summary>The x-acs-retry-after header to send (milliseconds, as the official clients read it), when set.</summary>
    public string? RetryAfter { get; } = retryAfter;

    public static ApiErrorException Missing(string parameter) =>
        new(400, "Missing" + parameter, parameter + " is mandatory for this action.");

    public static ApiErrorException Malformed(string parameter) =>
        new(400, "Invalid" + parameter + ".Malformed", "The specified parameter " + parameter + " is not valid.");
}
