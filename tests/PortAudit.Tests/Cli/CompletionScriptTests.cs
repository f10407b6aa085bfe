using PortAudit.Cli;
using PortAudit.Cli.Commands;

namespace PortAudit.Tests.Cli;

/// <summary>The completion scripts, generated in process from the command tree, checked and run by the shells themselves.</summary>
[Trait(Tier.Name, Tier.Peer)]
public sealed class CompletionScriptTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("portaudit-completion");

    private string Script(string shell)
    {
        var root = PortAuditCommand.Create();
        string path = Path.Combine(_dir.FullName, $"portaudit.{shell}");
        File.WriteAllText(path, shell == "zsh" ? CompletionCommand.Zsh(root) : CompletionCommand.Bash(root));
        return path;
    }

    private static ExternalProgram.Result Shell(string shell, params string[] arguments) =>
        ExternalProgram.Run(ExternalProgram.Start(shell, arguments), TimeSpan.FromSeconds(30));

    private static bool Installed(string shell) => File.Exists($"/bin/{shell}") || File.Exists($"/usr/bin/{shell}");

    [Theory]
    [InlineData("bash")]
    [InlineData("zsh")]
    public void TheScriptIsValidSyntax(string shell)
    {
        if (!Installed(shell)) return; // zsh is optional: .ci/run installs it
        var check = Shell(shell, "-n", Script(shell));
        Assert.True(check.ExitCode == 0, check.StandardError);
    }

    [Theory]
    [InlineData("portaudit audit --inv", "--inventory")]
    [InlineData("portaudit au", "audit")]
    [InlineData("portaudit flows x --format ''", "csv json parquet table tsv")]
    [InlineData("portaudit audit x --fail-on req", "required-blocked")]
    [InlineData("portaudit rpc --log-level W", "Warning")]
    [InlineData("portaudit completion z", "zsh")]
    public void BashCompletesFromTheCommandTree(string line, string expected)
    {
        string script = Script("bash");
        var result = Shell("bash", "-c",
            $"source '{script}'; COMP_WORDS=({line}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); _portaudit; " +
            "printf '%s\\n' \"${COMPREPLY[@]}\" | sort | paste -sd' '");
        Assert.Equal(expected, result.StandardOutput.Trim());
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
