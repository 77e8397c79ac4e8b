"""Small vocabularies for synthetic people and institutions: names, registration and payment channels."""

from __future__ import annotations

MALE_NAMES = (
    "Agus", "Ahmad", "Andi", "Arif", "Bambang", "Budi", "Dedi", "Dimas", "Eko", "Fajar", "Hendra", "Heru", "Imam",
    "Irfan", "Joko", "Kurniawan", "Muhammad", "Rahmat", "Rizki", "Rudi", "Slamet", "Sugeng", "Teguh", "Wahyu",
    "Yusuf", "Asep", "Ujang", "Dadang", "Ade", "Iwan", "Riduan", "Salundik", "Tambun", "Jaya", "Usup", "Herman",
    "Bayu", "Galih", "Gilang", "Hadi", "Ilham", "Lukman", "Nanang", "Rian", "Sandi", "Taufik", "Wawan", "Yoga",
)  # fmt: skip
FEMALE_NAMES = (
    "Aisyah", "Ani", "Dewi", "Dian", "Eka", "Endang", "Fitri", "Indah", "Intan", "Kartini", "Lestari", "Maya",
    "Nur", "Putri", "Rina", "Rini", "Sari", "Siti", "Sri", "Tuti", "Wati", "Yanti", "Yuli", "Neneng", "Euis",
    "Imas", "Cucu", "Nining", "Utami", "Agustina", "Ratna", "Nurhayati", "Rosita", "Delima", "Inggrid", "Yuliana",
    "Ayu", "Citra", "Desi", "Fitria", "Hana", "Lina", "Mega", "Novi", "Rahma", "Suci", "Wulan", "Zahra",
)  # fmt: skip
SECOND_NAMES = (
    "Santoso", "Hidayat", "Saputra", "Susanto", "Wijaya", "Pratama", "Setiawan", "Nugroho", "Kusuma", "Siregar",
    "Nasution", "Lubis", "Hakim", "Rahman", "Hasan", "Syahputra", "Permana", "Suryadi", "Gunawan", "Firmansyah",
    "Hermawan", "Mulyadi", "Sulaiman", "Ningsih", "Wahyuni", "Rahayu", "Handayani", "Purnamasari", "Lestari",
    "Anggraini", "Suparman", "Supriadi", "Kurnia", "Maulana", "Ramadhan", "Sopian", "Sumarni", "Nuraeni",
)  # fmt: skip

# Registration channels (docs/rules.md §8), with the share of new PBPU/BP families each brings (illustrative).
REGISTRATION_CHANNELS = (
    ("kantor_cabang", 0.30),
    ("bpjs_keliling", 0.08),
    ("mobile_jkn", 0.20),
    ("pandawa", 0.10),
    ("care_center_165", 0.03),
    ("dropbox", 0.05),
    ("mal_pelayanan", 0.05),
    ("bank_mitra", 0.05),
    ("ppob", 0.04),
    ("kader_jkn", 0.10),
)
# Members registered by their payer rather than by themselves.
CHANNEL_EMPLOYER = "e_dabu"  # employers' portal (docs/rules.md §1)
CHANNEL_PEMDA = "dinas_sosial"  # PBI APBD: the Pemda through its social office
CHANNEL_KEMENSOS = "kemensos_dtks"  # PBI APBN: drawn from the DTKS by the Ministry of Social Affairs

# Payment channels (docs/rules.md §8), with the share of family payments through each (illustrative).
PAYMENT_CHANNELS = (
    ("autodebit", 0.25),
    ("bank", 0.30),
    ("ppob", 0.15),
    ("minimarket", 0.15),
    ("mobile_jkn", 0.10),
    ("kantor_pos", 0.03),
    ("kader_jkn", 0.02),
)
PAYMENT_CHANNEL_INSTITUTION = "bank"  # employers and governments pay by bank transfer

FIRM_WORDS = (
    "Sawit", "Agro", "Mitra", "Karya", "Sejahtera", "Abadi", "Makmur", "Jaya", "Sentosa", "Borneo", "Nusantara",
    "Lestari", "Mandiri", "Utama", "Perkasa", "Cipta", "Tunas", "Harapan", "Bumi", "Prima", "Mulia", "Indah",
)  # fmt: skip
FIRM_FORMS = ("PT", "PT", "PT", "CV", "CV", "Koperasi", "UD", "Yayasan")
GOVERNMENT_UNITS = (
    "Sekretariat Daerah", "Dinas Pendidikan", "Dinas Kesehatan", "RSUD", "Puskesmas", "SD Negeri", "SMP Negeri",
    "SMA Negeri", "Kantor Kecamatan", "Pemerintah Desa", "Dinas Pekerjaan Umum", "Polres", "Kodim",
    "Kantor Kementerian Agama", "Pengadilan Negeri", "Dinas Pertanian", "Badan Kepegawaian Daerah",
)  # fmt: skip
