"""Name pools of the synthetic generator's regional population (``generate(population="regional")``).

Common real names of each region (names are facts; the lists are written here, not copied from a source
file). Each entry is one name in the ways it is written, separated by ``|``: the usual Latin transliteration
first, then other transliterations, the form without diacritics where it has them, and sometimes its own
script. How concentrated each pool is (the share of its most common name) and where the figure comes from:
``REGIONS`` below and docs/linkage.md, "The generator's populations".
"""

from __future__ import annotations

from dataclasses import dataclass

# fmt: off
WEST_AFRICA_GIVEN = (
    "Blessing", "Precious", "Joy", "Chioma", "Ngozi|Ngozie", "Oluwaseun|Seun", "Funmilayo|Funmi",
    "Adaeze|Adaze", "Chinonso|Chinoso", "Favour|Favor", "Mercy", "Grace", "Esther|Ester", "Peace", "Gift",
    "Faith", "Comfort", "Abena", "Akosua", "Ama", "Efua|Effua", "Adwoa|Adjoa", "Aisha|Aishat|Ayesha",
    "Hadiza|Hadizat|Khadija", "Zainab|Zaynab|Zeinab", "Amina|Aminat|Aminah", "Fatima|Fatimah|Fatuma",
    "Folake", "Yetunde", "Bukola", "Nneka", "Ifeoma", "Amaka", "Oluchi",
)
WEST_AFRICA_FAMILY = (
    "Okafor", "Okonkwo", "Adeyemi", "Eze", "Bello", "Ibrahim|Ibraheem", "Abdullahi|Abdullah", "Musa",
    "Mohammed|Muhammad|Mohamed", "Okoro", "Nwankwo", "Chukwu", "Ojo", "Ogunleye", "Adebayo", "Olawale",
    "Balogun", "Okeke", "Obi", "Nwosu", "Lawal", "Usman|Othman", "Abubakar|Aboubakar", "Sani", "Danjuma",
    "Mensah", "Boateng", "Asante", "Owusu", "Osei", "Appiah", "Agyemang|Agyeman", "Addo", "Ansah", "Amoah",
)
HORN_GIVEN = (
    "Tigist|Tegist", "Hiwot|Hiwet", "Selam|Selamawit", "Meseret|Messeret", "Almaz", "Tsehay|Tsehai",
    "Senait|Senayt", "Saba", "Helen|Hellen", "Mulu|Muluwork", "Genet|Ganet", "Yordanos|Yordanus",
    "Feven|Fiyori", "Ruth|Rut", "Mahlet|Mahelet", "Bethlehem|Betelhem", "Eden", "Hana|Hanna",
    "Kidist|Kedist", "Lidya|Lydia", "Tsega|Tsige", "Aster|Astair", "Birtukan", "Meron", "Rahel|Rachel",
    "Abeba", "Azeb", "Etenesh|Etenish", "Frehiwot|Firehiwot", "Tirhas|Terhas", "Winta|Wintana",
    "Luwam|Luam", "Semhar|Semehar", "Nebiat|Nebiyat",
)
HORN_FATHERS = (
    "Haile|Hayle", "Tesfaye|Tesfay", "Gebremedhin|Gebre Medhin|Gebremedin", "Berhane|Birhane|Berhe",
    "Tekle|Teklay", "Kidane", "Mulugeta", "Girma", "Alemu|Alem", "Bekele", "Tadesse|Tadese",
    "Kebede|Kebbede", "Wolde|Welde", "Abraham|Abreham", "Yohannes|Yohanes", "Mehari", "Habte|Habtom",
    "Gebremariam|Ghebremariam|Gebre Mariam", "Tesfamariam|Tesfa Mariam", "Solomon|Solomun", "Dawit",
    "Getachew|Getachow", "Desta", "Assefa|Asefa", "Negash", "Worku", "Ayele", "Demissie|Demisse",
    "Gebreyesus|Gebre Yesus", "Weldemichael|Woldemichael|Wolde Michael", "Asmerom", "Isaias|Isayas",
    "Fitsum", "Amanuel|Ammanuel|Emmanuel", "Hagos", "Tewolde|Tewelde",
)
ARABIC_GIVEN = (
    "Fatima|Fatma|Fatimah|فاطمة", "Aisha|Aïcha|Aysha|عائشة", "Mariam|Maryam|Meryem|مريم",
    "Amina|Aminah|Ameena|أمينة", "Khadija|Khadidja|Kadija|خديجة", "Zainab|Zeinab|Zaynab|زينب",
    "Nour|Noor|Nur|نور", "Layla|Leila|Laila|ليلى", "Huda|Houda|هدى", "Rania|Raniya|رانيا",
    "Salma|Selma|سلمى", "Yasmin|Yasmine|Jasmin|ياسمين", "Hanaa|Hana|هناء", "Samira|Sameera|سميرة",
    "Rasha|رشا", "Dina|Dena", "Reem|Rim|ريم", "Asmaa|Asma|أسماء", "Sara|Sarah|سارة", "Noura|Nora|نورة",
    "Rana|رنا", "Lina|Leena|لينا", "Malak|ملاك", "Hala|هالة", "Iman|Imane|Eman|إيمان", "Souad|Suad|سعاد",
    "Najat|Nagat|نجاة", "Karima|Kareema|كريمة", "Nadia|Nadiya|نادية", "Heba|Hiba|هبة", "Ghada|غادة",
    "Wafaa|Wafa|وفاء", "Amal|أمل", "Samar|سمر", "Rabab|رباب",
)
ARABIC_FATHERS = (
    "Mohammed|Muhammad|Mohamed|Mohamad|Muhammed|محمد", "Ahmed|Ahmad|أحمد", "Ali|Aly|علي",
    "Mahmoud|Mahmud|محمود", "Hassan|Hasan|حسن", "Hussein|Husain|Hussain|حسين", "Omar|Umar|Omer|عمر",
    "Abdullah|Abdallah|Abdalla|عبدالله", "Ibrahim|Ebrahim|Brahim|إبراهيم", "Youssef|Yousef|Yusuf|يوسف",
    "Khaled|Khalid|خالد", "Mustafa|Moustafa|Mostafa|مصطفى", "Said|Saeed|Saïd|سعيد",
    "Abdelrahman|Abdel Rahman|Abderrahmane|عبدالرحمن", "Salah|صلاح", "Karim|Kareem|كريم", "Adel|Adil|عادل",
    "Tarek|Tariq|Tarik|طارق", "Jamal|Gamal|جمال", "Nasser|Nasir|ناصر", "Samir|Sameer|سمير",
    "Walid|Waleed|وليد", "Yasser|Yasir|ياسر", "Osman|Othman|Uthman|عثمان", "Abdelkader|Abdul Qadir",
    "Rachid|Rashid|Rasheed|رشيد", "Hamid|Hamed|حامد", "Jalal|جلال", "Faisal|Faysal|فيصل",
    "Saleh|Salih|صالح", "Ismail|Ismaïl|Esmail|إسماعيل", "Nabil|Nabeel|نبيل", "Fathi|Fathy|فتحي",
    "Majid|Majed|Magid|ماجد", "Anwar|أنور",
)
ARABIC_FAMILY = (
    "Al-Masri|El-Masry|Masri", "Al-Khatib|El Khatib|Khatib", "Haddad|حداد", "Al-Najjar|Najjar|نجار",
    "Hamdan|حمدان", "Khalil|Khaleel|خليل", "Darwish|Darwich|درويش", "Nassar|Nasser", "Mansour|Mansur|منصور",
    "El-Sayed|Al-Sayed|Elsayed", "Abbas|عباس", "Jaber|Jabir|جابر", "Kassem|Qasim|Kasim|قاسم",
    "Al-Sabbagh|Sabbagh", "Shaheen|Shahin|شاهين", "Attia|Atiya|عطية", "Farah|فرح", "Hegazy|Hijazi|حجازي",
    "Bakri|Bakr", "Zeidan|Zidane|زيدان", "Benali|Ben Ali", "Bennani", "El Amrani|Amrani",
    "El Alaoui|Alaoui", "El Idrissi|Idrissi", "Al-Tamimi|Tamimi", "Al-Obaidi|Obeidi", "Al-Jubouri|Jubouri",
    "Al-Hassan|Hassan", "Taher|Tahir",
)
EAST_SLAVIC_GIVEN = (
    "Olena|Elena|Alena|Олена|Елена", "Yulia|Yuliya|Iuliia|Julia|Юлія", "Natalia|Natalya|Nataliya|Наталія",
    "Oksana|Оксана", "Tetiana|Tatiana|Tatyana|Тетяна|Татьяна", "Iryna|Irina|Ірина|Ирина",
    "Svitlana|Svetlana|Світлана|Светлана", "Olha|Olga|Ольга", "Mariia|Maria|Mariya|Марія",
    "Hanna|Anna|Ganna|Ганна|Анна", "Kateryna|Ekaterina|Yekaterina|Катерина|Екатерина",
    "Viktoriia|Viktoria|Victoria|Вікторія", "Anastasiia|Anastasia|Анастасія",
    "Liudmyla|Lyudmila|Ludmila|Людмила", "Halyna|Galina|Галина", "Valentyna|Valentina|Валентина",
    "Nadiia|Nadezhda|Надія", "Larysa|Larisa|Лариса", "Inna|Інна", "Alina|Аліна", "Daryna|Daria|Darya|Дарина",
    "Maryna|Marina|Марина", "Yana|Iana|Яна", "Khrystyna|Kristina|Христина", "Valeriia|Valeria|Валерія",
    "Sofiia|Sofia|Софія", "Nina|Ніна", "Lesia|Lesya|Леся", "Zoia|Zoya|Зоя", "Ivanna|Іванна",
    "Veronika|Вероніка", "Diana|Діана",
)
EAST_SLAVIC_PATRONYMIC = (
    "Oleksandrivna|Aleksandrovna|Alexandrovna|Олександрівна", "Mykolaivna|Nikolaevna|Nikolayevna|Миколаївна",
    "Volodymyrivna|Vladimirovna|Володимирівна", "Ivanivna|Ivanovna|Іванівна",
    "Vasylivna|Vasilyevna|Василівна", "Petrivna|Petrovna|Петрівна",
    "Serhiivna|Sergeevna|Sergeyevna|Сергіївна", "Viktorivna|Viktorovna|Вікторівна",
    "Anatoliivna|Anatolyevna|Анатоліївна", "Yuriivna|Yurievna|Юріївна", "Mykhailivna|Mikhailovna|Михайлівна",
    "Andriivna|Andreevna|Андріївна", "Hryhorivna|Grigoryevna|Григорівна", "Stepanivna|Stepanovna|Степанівна",
    "Ihorivna|Igorevna|Ігорівна", "Valeriivna|Valerievna|Валеріївна", "Leonidivna|Leonidovna|Леонідівна",
    "Oleksiivna|Alekseevna|Олексіївна", "Dmytrivna|Dmitrievna|Дмитрівна", "Yevheniivna|Evgenievna|Євгенівна",
    "Romanivna|Romanovna|Романівна", "Pavlivna|Pavlovna|Павлівна", "Fedorivna|Fedorovna|Федорівна",
    "Bohdanivna|Bogdanovna|Богданівна", "Vitaliivna|Vitalievna|Віталіївна", "Yosypivna|Iosifovna|Йосипівна",
    "Tarasivna|Тарасівна", "Borysivna|Borisovna|Борисівна", "Vadymivna|Vadimovna|Вадимівна",
)
EAST_SLAVIC_FAMILY = (
    "Melnyk|Melnik|Мельник", "Shevchenko|Shevchenco|Шевченко", "Boiko|Boyko|Бойко", "Kovalenko|Коваленко",
    "Bondarenko|Бондаренко", "Tkachenko|Ткаченко", "Kovalchuk|Ковальчук", "Kravchenko|Кравченко",
    "Oliinyk|Oliynyk|Oleinik|Олійник", "Shevchuk|Шевчук", "Koval|Коваль", "Polishchuk|Polischuk|Поліщук",
    "Bondar|Бондар", "Tkachuk|Ткачук", "Moroz|Мороз", "Marchenko|Марченко", "Lysenko|Lisenko|Лисенко",
    "Rudenko|Руденко", "Savchenko|Савченко", "Petrenko|Петренко", "Smirnova|Смирнова",
    "Ivanova|Іванова|Иванова", "Kuznetsova|Кузнецова", "Popova|Попова", "Sokolova|Соколова",
    "Ceban|Cheban|Tseban|Чебан", "Rusu|Русу", "Morozova|Морозова", "Lebedeva|Лебедева", "Novikova|Новикова",
    "Kozlova|Козлова", "Petrova|Петрова",
)
ROMANIAN_GIVEN = (
    "Ioana|Ioanna", "Maria", "Elena", "Andreea|Andrea", "Mihaela|Mihaella", "Alexandra", "Ana|Anna",
    "Cristina", "Daniela", "Gabriela", "Florentina", "Nicoleta|Nicoletta", "Alina", "Roxana", "Georgiana",
    "Ionela|Ionella", "Simona", "Larisa", "Bianca", "Denisa", "Loredana", "Adriana", "Raluca", "Diana",
    "Ramona", "Claudia", "Violeta", "Camelia", "Mirela", "Oana", "Lavinia", "Cătălina|Catalina",
    "Iuliana|Juliana", "Ștefania|Stefania",
)
ROMANIAN_FAMILY = (
    "Popa", "Popescu", "Pop", "Radu", "Ionescu", "Dumitru", "Stan", "Stoica", "Gheorghe", "Matei", "Ciobanu",
    "Rusu", "Munteanu", "Constantin", "Ene", "Lazăr|Lazar", "Moldovan", "Florea", "Mihai", "Dinu", "Marin",
    "Tudor", "Dobre", "Barbu", "Nistor", "Toma", "Sandu", "Diaconu", "Ceban", "Lungu", "Cojocaru",
    "Țurcanu|Turcanu", "Șerban|Serban", "Bălan|Balan",
)
NEPALI_GIVEN = (
    "Sita|Seeta", "Gita|Geeta", "Sunita|Suneeta", "Anjali|Anjalee", "Sarita", "Kamala", "Laxmi|Lakshmi",
    "Maya", "Sabina", "Sushila|Susheela", "Radha", "Parbati|Parvati", "Manisha", "Puja|Pooja",
    "Srijana|Shrijana", "Rita|Reeta", "Bimala", "Kalpana", "Durga", "Saraswati|Sarswati", "Anita|Aneeta",
    "Mina|Meena", "Sapana|Sapna", "Asmita", "Sangita|Sangeeta", "Januka", "Nirmala", "Sharmila|Sarmila",
    "Ganga", "Renuka", "Kabita|Kavita",
)
NEPALI_FAMILY = (
    "Tamang", "Gurung", "Shrestha|Srestha", "Thapa", "Magar|Thapa Magar", "Rai", "Limbu", "Sherpa", "Khadka",
    "Karki", "Basnet", "Adhikari", "Sharma", "Poudel|Paudel|Poudyal", "Bhandari", "KC|Khatri Chhetri",
    "Chaudhary|Chaudhari|Choudhary", "Tharu", "Yadav", "Bista|Bisht", "Lama", "Bishwakarma|Biswakarma|BK",
    "Pariyar", "Nepali", "Sunar", "Ghimire", "Khanal", "Acharya", "Dahal", "Budha", "Shahi", "Rana",
)
BANGLA_GIVEN = (
    "Fatema|Fatima", "Rokeya|Rokaiya", "Nasrin|Nasreen", "Shirin|Shireen", "Taslima|Tasleema",
    "Rahima|Raheema", "Salma", "Rina|Reena", "Shahana", "Sumaiya|Sumaya", "Jannatul|Jannat", "Nusrat",
    "Sharmin|Sarmin", "Moriom|Mariam|Maryam", "Ayesha|Aisha", "Khadiza|Khadija", "Rupa", "Popy|Popi",
    "Mim|Meem", "Munni|Moni", "Shapla", "Lima", "Rabeya|Rabia", "Tania|Tanya", "Sadia", "Farzana",
    "Jesmin|Jasmin|Jasmine", "Nazma|Najma", "Ruma", "Shathi|Sathi", "Kulsum|Kulsoom", "Rehana|Reyhana",
)
BANGLA_FAMILY = (
    "Akter|Akhter|Akhtar|Aktar", "Begum|Begom", "Khatun|Khatoon", "Islam", "Hossain|Hussain|Hosen",
    "Rahman|Rahaman", "Ahmed|Ahmad", "Sultana", "Parvin|Parveen", "Khan", "Uddin", "Sarkar|Sarker",
    "Chowdhury|Choudhury", "Das", "Mondal|Mandal", "Sheikh|Shaikh", "Miah|Mia", "Ali", "Biswas",
    "Howlader|Hawlader", "Talukder|Talukdar", "Bhuiyan|Bhuiya", "Siddique|Siddiqui", "Alam", "Nahar", "Roy",
)
VIETNAMESE_FAMILY = (
    "Nguyễn|Nguyen|Ngyuen", "Trần|Tran", "Lê|Le", "Phạm|Pham", "Hoàng|Hoang", "Huỳnh|Huynh", "Vũ|Vu",
    "Võ|Vo", "Phan", "Trương|Truong", "Bùi|Bui", "Đặng|Dang", "Đỗ|Do", "Ngô|Ngo", "Hồ|Ho", "Dương|Duong",
    "Lý|Ly", "Đinh|Dinh", "Đào|Dao", "Lương|Luong", "Mai", "Trịnh|Trinh", "Cao", "Lâm|Lam", "Tạ|Ta",
    "Hà|Ha", "Phùng|Phung", "Tô|To", "Châu|Chau", "Thái|Thai",
)
VIETNAMESE_MIDDLE = (
    "Thị|Thi", "Ngọc|Ngoc", "Thu", "Thanh", "Kim", "Hồng|Hong", "Thùy|Thuy", "Minh", "Phương|Phuong",
    "Bảo|Bao", "Diệu|Dieu", "Mỹ|My",
)
VIETNAMESE_GIVEN = (
    "Hà|Ha", "Lan", "Hương|Huong|Houng", "Linh", "Trang", "Mai", "Hoa", "Thảo|Thao", "Ngọc|Ngoc",
    "Hằng|Hang", "Hạnh|Hanh", "Nga", "Nhung", "Phương|Phuong", "Thủy|Thuy", "Yến|Yen", "Anh", "Dung",
    "Hiền|Hien", "Hồng|Hong", "Loan", "Oanh", "Quỳnh|Quynh", "Tâm|Tam", "Thơ|Tho", "Tuyết|Tuyet",
    "Vân|Van", "Vy|Vi", "Xuân|Xuan", "Nhi", "Chi", "Giang", "Huyền|Huyen",
)
FILIPINO_GIVEN = (
    "Maria|Ma.", "Kristine|Christine", "Jennifer", "Michelle", "Maricel|Marisel", "Rowena",
    "Mary Grace|Marygrace", "Jocelyn|Joselyn", "Rosalie", "Mary Ann|Maryann", "Lorna", "Marilyn", "Angelica",
    "Jasmine|Jazmin", "Princess", "Jessa", "Rhea|Rea", "Cristina|Kristina", "Liza|Lisa", "Mylene|Mylen",
    "Joy", "Grace", "Analyn|Annalyn", "Sheila|Shiela", "Janet", "Gemma", "Evelyn", "Riza|Rizza",
    "Charmaine|Sharmaine", "Lovely", "Aileen|Eileen",
)
FILIPINO_FAMILY = (
    "Santos|Delos Santos", "Reyes|De los Reyes", "Dela Cruz|Cruz|De la Cruz", "Bautista", "Ocampo", "Garcia",
    "Mendoza", "Ramos", "Villanueva", "Aquino", "Castillo", "Rivera", "Gonzales|Gonzalez", "Flores",
    "Torres", "Lopez", "Fernandez", "Del Rosario|Rosario", "Santiago", "Pascual", "Tolentino", "Domingo",
    "Navarro", "Aguilar", "Soriano", "Castro", "Valdez", "Salazar", "Manalo", "Dizon", "Mercado",
    "Villegas",
)
CHINESE_GIVEN = (
    "Na|娜", "Li|丽", "Jing|静", "Min|敏", "Ying|英", "Hong|红", "Fang|芳", "Yan|燕", "Xiuying|Xiu Ying|秀英",
    "Lili|Li Li|丽丽", "Xiaoling|Xiao Ling|小玲", "Mei|Mey|梅", "Juan|娟", "Ping|萍", "Hua|华", "Yu|玉",
    "Hui|慧", "Xia|霞", "Lan|兰", "Qian|倩", "Ting|婷", "Xue|雪", "Yun|云", "Jie|洁", "Lin|琳", "Dan|丹",
    "Xiaoyan|Xiao Yan|小燕", "Guiying|Gui Ying|桂英", "Yuxin|Yu Xin|雨欣", "Chunmei|Chun Mei|春梅",
    "Xiaohong|Xiao Hong|小红", "Shuang|双",
)
CHINESE_FAMILY = (
    "Wang|Wong|王", "Li|Lee|李", "Zhang|Chang|Cheung|张", "Liu|Lau|刘", "Chen|Chan|陈", "Yang|Yeung|杨",
    "Huang|Hwang|黄", "Zhao|Chao|赵", "Wu|吴", "Zhou|Chow|周", "Xu|Hsu|徐", "Sun|孙", "Ma|马", "Zhu|Chu|朱",
    "Hu|胡", "Guo|Kuo|郭", "He|Ho|何", "Gao|Kao|高", "Lin|Lam|林", "Luo|Lo|罗", "Zheng|Cheng|郑",
    "Liang|Leung|梁", "Xie|Hsieh|谢", "Song|宋", "Tang|唐", "Han|韩", "Feng|冯", "Deng|Teng|邓",
    "Cao|Tsao|曹", "Peng|彭", "Zeng|Tseng|曾", "Xiao|Hsiao|肖",
)
LATIN_GIVEN = (
    "María|Maria", "Guadalupe|Lupe", "Rosa", "Ana|Anna", "Juana", "Margarita", "Verónica|Veronica",
    "Patricia", "Carmen", "Leticia", "Elizabeth|Elisabet", "Gabriela", "Alejandra", "Adriana",
    "Yesenia|Yessenia", "Marisol", "Claudia", "Sandra", "Daniela", "Fernanda", "Karla|Carla", "Araceli",
    "Lucía|Lucia", "Yuliana|Juliana", "Sofía|Sofia", "Paola", "Valeria", "Luz", "Esperanza",
    "Angélica|Angelica", "Marcela", "Dayana|Dayanna",
)
LATIN_FAMILY = (
    "Hernández|Hernandez", "García|Garcia", "Martínez|Martinez", "López|Lopez", "González|Gonzalez|Gonzales",
    "Rodríguez|Rodriguez", "Pérez|Perez", "Sánchez|Sanchez", "Ramírez|Ramirez", "Flores", "Gómez|Gomez",
    "Díaz|Diaz", "Cruz", "Morales", "Reyes", "Jiménez|Jimenez", "Torres", "Gutiérrez|Gutierrez", "Ruiz",
    "Mendoza", "Vargas", "Castillo", "Romero", "Álvarez|Alvarez", "Ortiz", "Moreno", "Chávez|Chavez",
    "Ramos", "Rojas", "Vásquez|Vasquez|Vázquez", "Castro", "Herrera", "Medina", "Aguilar", "Benítez|Benitez",
)

# fmt: on


@dataclass(frozen=True)
class Pool:
    """One pool of names and the share of its most common name (``None``: the real distribution is flatter
    than a pool of this size can be, so the pool is uniform and still more concentrated than the region)."""

    names: tuple[str, ...]
    top_share: float | None
    source: str


@dataclass(frozen=True)
class Region:
    """A region of origin: its share of the persons, its naming practice and its pools.

    Practices (``synthetic._regional_person`` builds the name parts):
    ``given_family`` given + family name; ``habesha`` given + father's given name + (half of the persons) the
    grandfather's, no family name; ``arabic`` given + father's name + a family name (60 %) or the
    grandfather's name; ``east_slavic`` given + patronymic + family name; ``vietnamese`` family + middle
    name (85 %) + given; ``two_surnames`` given + paternal + maternal family name; ``filipino`` given + the
    mother's family name as a middle name + family name.
    """

    name: str
    share: float
    practice: str
    given: Pool
    family: Pool
    second: Pool | None = None
    """Fathers' given names (habesha, arabic), patronymics (east_slavic) or middle names (vietnamese)."""


ASSUMED = "assumed"
# fmt: off
REGIONS: tuple[Region, ...] = (
    Region(
        "west_africa", 0.16, "given_family",
        Pool(WEST_AFRICA_GIVEN, 0.04, ASSUMED), Pool(WEST_AFRICA_FAMILY, None, ASSUMED),
    ),
    Region(
        "horn_of_africa", 0.10, "habesha",
        Pool(HORN_GIVEN, 0.04, ASSUMED), Pool(HORN_FATHERS, 0.04, ASSUMED), Pool(HORN_FATHERS, 0.04, ASSUMED),
    ),
    Region(
        "arabic", 0.12, "arabic",
        Pool(ARABIC_GIVEN, 0.05, ASSUMED), Pool(ARABIC_FAMILY, None, ASSUMED),
        Pool(ARABIC_FATHERS, 0.15, "derived: ~150 million bearers of Muhammad among ~0.9 billion Muslim men"),
    ),
    Region(
        "east_slavic", 0.12, "east_slavic",
        Pool(EAST_SLAVIC_GIVEN, 0.05, ASSUMED),
        Pool(EAST_SLAVIC_FAMILY, None, "Melnyk 0.26-0.41 % (Ukraine), Smirnov 1.8 % (Russia)"),
        Pool(EAST_SLAVIC_PATRONYMIC, 0.06, ASSUMED),
    ),
    Region(
        "romania_moldova", 0.08, "given_family",
        Pool(ROMANIAN_GIVEN, 0.05, ASSUMED), Pool(ROMANIAN_FAMILY, None, "Popa most common; share not found"),
    ),
    Region(
        "nepal", 0.05, "given_family",
        Pool(NEPALI_GIVEN, 0.05, ASSUMED), Pool(NEPALI_FAMILY, 0.056, "Tamang 5.6 % of Nepal (2021 census)"),
    ),
    Region(
        "bangladesh", 0.06, "given_family",
        Pool(BANGLA_GIVEN, 0.04, ASSUMED), Pool(BANGLA_FAMILY, 0.25, ASSUMED),
    ),
    Region(
        "vietnam", 0.07, "vietnamese",
        Pool(VIETNAMESE_GIVEN, 0.05, ASSUMED), Pool(VIETNAMESE_FAMILY, 0.38, "Nguyễn 38-40 %"),
        Pool(VIETNAMESE_MIDDLE, 0.60, ASSUMED),
    ),
    Region(
        "philippines", 0.06, "filipino",
        Pool(FILIPINO_GIVEN, 0.04, ASSUMED), Pool(FILIPINO_FAMILY, None, "Santos ~1.7 million, ~1.5 %"),
    ),
    Region(
        "china", 0.04, "given_family",
        Pool(CHINESE_GIVEN, 0.04, ASSUMED), Pool(CHINESE_FAMILY, 0.0725, "Wang 7.25 % (2007 registry)"),
    ),
    Region(
        "latin_america", 0.14, "two_surnames",
        Pool(LATIN_GIVEN, 0.05, ASSUMED),
        Pool(LATIN_FAMILY, 0.044, "Hernández ~5.5 million in Mexico, ~4.4 %"),
    ),
)
# fmt: on
