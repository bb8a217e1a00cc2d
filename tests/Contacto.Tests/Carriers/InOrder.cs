using Contacto.Carriers;

namespace Contacto.Tests.Carriers;

/// <summary>The first available carrier in configured order, so a test can say which is tried when.</summary>
sealed class InOrder : ICarrierChoicePolicy
{
    public Carrier? Choose(IReadOnlyList<Carrier> available, DateTimeOffset now) => available.FirstOrDefault();
}
