namespace Contacto.Carriers;

/// <summary>
/// One carrier as routing sees it: its connection, the countries and products it serves, its
/// weight, and its breaker. Weight, countries, products and the breaker's settings change in
/// place (<see cref="Reconfigure"/>); anything else means a new connection, so a new instance.
/// </summary>
internal sealed class Carrier(ICarrierConnection connection, CarrierOptions options, IReadOnlyList<string> defaultProducts, CarriersOptions settings)
{
    volatile CarrierOptions options = options;

    public string Name => options.Name;
    public ICarrierConnection Connection => connection;
    public CarrierBreaker Breaker { get; } = new(settings);

    /// <summary>The settings the carrier runs with now.</summary>
    public CarrierOptions Options => options;
    public int Weight => options.Weight;
    public bool ServesEveryCountry => options.Countries.Count == 0 || options.Countries.Contains("*");
    public IReadOnlyList<string> Countries => options.Countries;
    public IReadOnlyList<string> Products => options.Products.Count > 0 ? options.Products : defaultProducts;

    /// <summary>True once a link of this carrier has been up since start.</summary>
    public bool HasBeenUp { get; set; }

    /// <summary>True once <see cref="Start"/> has connected the links.</summary>
    public bool Started { get; private set; }

    public void Start()
    {
        Started = true;
        connection.Start();
    }

    /// <summary>Takes new routing settings; the connection's settings must be unchanged.</summary>
    public void Reconfigure(CarrierOptions changed, CarriersOptions changedSettings)
    {
        options = changed;
        Breaker.Reconfigure(changedSettings);
    }

    public bool Serves(string country) => ServesEveryCountry || options.Countries.Contains(country);

    public bool Serves(string country, string product) => Serves(country) && Products.Contains(product);
}
